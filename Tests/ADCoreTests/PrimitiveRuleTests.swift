import Testing
import ADTestSupport
@testable import ADCore

/// The rule table against high-precision closed forms (PrimitiveReferences.swift, mpmath).
@Suite("Primitive rule table")
struct PrimitiveRuleTests {
    static let rows = primitiveReferences.enumerated().map { $0 }

    static func op(named name: String) -> Op? {
        Op.allCases.first { String(describing: $0) == name }
    }

    @Test("value within 2 ulps, partials within 4 ulps of mpmath", arguments: rows)
    func againstHighPrecision(row: (offset: Int, element: (op: String, a: Double, b: Double, value: String, da: String, db: String?))) throws {
        let r = row.element
        let op = try #require(Self.op(named: r.op), "no primitive \(r.op)")
        let value = op.value(r.a, r.b)
        let (pa, pb) = op.partials(r.a, r.b, value: value)
        let refValue = try #require(Double(r.value))
        let refA = try #require(Double(r.da))
        #expect(ulps(value, from: refValue) <= 2, "\(r.op)(\(r.a), \(r.b)) = \(value), reference \(r.value)")
        #expect(ulps(pa, from: refA) <= 4, "∂\(r.op)/∂a at (\(r.a), \(r.b)) = \(pa), reference \(r.da)")
        if let db = r.db {
            let refB = try #require(Double(db))
            #expect(ulps(pb, from: refB) <= 4, "∂\(r.op)/∂b at (\(r.a), \(r.b)) = \(pb), reference \(db)")
        } else {
            #expect(pb == 0, "unary \(r.op) must have ∂/∂b = 0")
        }
    }

    @Test("every primitive has a high-precision reference row")
    func everyPrimitiveIsCovered() {
        let covered = Set(primitiveReferences.map(\.op))
        for op in Op.primitives where op != .powConst {
            #expect(covered.contains(String(describing: op)), "no reference for \(op)")
        }
    }

    @Test("domain edges: infinities and NaN where the closed form has them")
    func domainEdges() {
        func d(_ op: Op, _ a: Double, _ b: Double = 0) -> (Double, Double, Double) {
            let v = op.value(a, b)
            let (pa, pb) = op.partials(a, b, value: v)
            return (v, pa, pb)
        }
        #expect(d(.log, 0) == (-.infinity, .infinity, 0))
        #expect(d(.log, -1).0.isNaN)
        #expect(d(.sqrt, 0) == (0, .infinity, 0))
        #expect(d(.sqrt, -4).0.isNaN)
        #expect(d(.asin, 1) == (.pi / 2, .infinity, 0))
        #expect(d(.acos, -1) == (.pi, -.infinity, 0))
        #expect(d(.asin, 1.5).0.isNaN)
        #expect(d(.div, 1, 0).0 == .infinity)
        #expect(d(.exp, 1000).0 == .infinity)
        #expect(d(.exp, -1000) == (0, 0, 0))
        #expect(d(.sigmoid, -1000) == (0, 0, 0))
        #expect(d(.sigmoid, 1000) == (1, 0, 0))
        #expect(d(.softplus, 1000) == (1000, 1, 0))
        #expect(d(.tanh, 1000) == (1, 0, 0))
        // Variable exponent: 0^y for y > 0 has ∂/∂y = 0 (the limit); a negative base has none.
        #expect(d(.pow, 0, 2) == (0, 0, 0))
        #expect(d(.pow, -2, 3).0 == -8)
        #expect(d(.pow, -2, 3).1 == 12)
        #expect(d(.pow, -2, 3).2.isNaN)
        // Constant exponent: defined for negative bases, no log, ∂/∂(exponent) = 0.
        #expect(d(.powConst, -2, 3) == (-8, 12, 0))
        #expect(d(.powConst, 0, 0.5) == (0, .infinity, 0))
        #expect(d(.powConst, 5, 0) == (1, 0, 0))
    }

    @Test("kink conventions: the x >= 0 branch, ties to the first argument")
    func kinkConventions() {
        #expect(Op.relu.partials(0, 0, value: 0) == (1, 0))
        #expect(Op.abs.partials(0, 0, value: 0) == (1, 0))
        #expect(Op.leakyRelu.partials(0, 0.1, value: 0) == (1, 0))
        #expect(Op.elu.partials(0, 1.3, value: 0) == (1, 0))
        #expect(Op.max.partials(2, 2, value: 2) == (1, 0))
        #expect(Op.min.partials(2, 2, value: 2) == (1, 0))
        #expect(Op.relu.value(-0.0, 0) == 0)
        for op in Op.primitives {
            #expect((op.kink != nil) == (op.switchingArgument(1, 2) != nil), "\(op): kink and switching argument disagree")
            #expect(op.kink == nil || !op.isAnalytic, "\(op) has a kink but claims to be analytic")
        }
        #expect(Op.max.switchingArgument(3, 5) == -2)
        #expect(Op.relu.switchingArgument(-0.25, 0) == -0.25)
    }

    @Test("arity and names")
    func arityAndNames() {
        #expect(Op.primitives.count == 27)  // the 26 of the expression language, pow in two rules
        #expect(Op.primitives.allSatisfy { $0.arity == 1 || $0.arity == 2 })
        #expect(Op.leakyRelu.name == "leaky_relu")
        #expect(Set(Op.primitives.map { $0 == .powConst ? "pow*" : $0.name }).count == Op.primitives.count)
    }
}
