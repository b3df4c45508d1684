import Testing
import Foundation
import ADTestSupport
@testable import ADCore

/// The rule table's second-order partials against closed forms evaluated with mpmath at 40
/// digits, each checked in the generating script against mpmath's numerical differentiation of
/// the value itself (SecondOrderReferences.swift, scripts/primitive-references.py).
@Suite("Primitive rule table, second order")
struct SecondOrderRuleTests {
    static let rows = secondOrderReferences.enumerated().map { $0 }

    @Test("second partials within 8 ulps of mpmath; exact zeros exact", arguments: rows)
    func againstHighPrecision(row: (offset: Int, element: (op: String, a: Double, b: Double, aa: String, ab: String?, bb: String?))) throws {
        let r = row.element
        let op = try #require(PrimitiveRuleTests.op(named: r.op), "no primitive \(r.op)")
        let second = op.secondPartials(r.a, r.b, value: op.value(r.a, r.b))
        func check(_ computed: Double, _ reference: String?, _ what: String) throws {
            guard let reference else {
                #expect(computed == 0, "unary \(r.op) must have \(what) = 0")
                return
            }
            let expected = try #require(Double(reference))
            if expected == 0 {
                #expect(computed == 0, "\(what) of \(r.op) at (\(r.a), \(r.b)) = \(computed), reference 0")
            } else {
                #expect(ulps(computed, from: expected) <= 8, "\(what) of \(r.op) at (\(r.a), \(r.b)) = \(computed), reference \(reference)")
            }
        }
        try check(second.aa, r.aa, "∂²/∂a²")
        try check(second.ab, r.ab, "∂²/∂a∂b")
        try check(second.bb, r.bb, "∂²/∂b²")
    }

    @Test("every primitive has a second-order reference row")
    func everyPrimitiveIsCovered() {
        let covered = Set(secondOrderReferences.map(\.op))
        for op in Op.primitives where op != .powConst {
            #expect(covered.contains(String(describing: op)), "no second-order reference for \(op)")
        }
    }

    @Test("powConst: the first operand's term as pow's, no terms in the constant exponent")
    func constantExponent() {
        for (a, c) in [(1.7, 3.0), (-2.5, 2.0), (0.4, -1.5), (3.0, 1.0), (0.0, 1.0), (5.0, 0.0)] {
            let v = Op.powConst.value(a, c)
            let second = Op.powConst.secondPartials(a, c, value: v)
            #expect(second.ab == 0 && second.bb == 0)
            #expect(second.aa == (c == 0 || c == 1 ? 0 : c * (c - 1) * Foundation.pow(a, c - 2)), "x^\(c) at \(a)")
        }
        // A negative base with an integer exponent: defined, as for the first partial.
        #expect(Op.powConst.secondPartials(-2, 3, value: -8).aa == -12)
    }

    @Test("domain edges: pow at a zero base, log and sqrt at 0")
    func domainEdges() {
        #expect(Op.pow.secondPartials(0, 2.5, value: 0).ab == 0 && Op.pow.secondPartials(0, 2.5, value: 0).bb == 0)
        #expect(Op.pow.secondPartials(-1, 0.5, value: .nan).bb.isNaN)
        #expect(Op.log.secondPartials(0, 0, value: -.infinity).aa == -.infinity)
        #expect(Op.sqrt.secondPartials(0, 0, value: 0).aa == -.infinity)
    }
}
