import Testing
import Foundation
import Numerics
import ADTestSupport
@testable import ADCore

/// The worked examples of the four lecture documents the catalogue starts from (Peharz, Domke, Ellis & Smith, Chapter 9), node by node.
/// Printed numbers are checked to exactly their printed precision (`matchesPrinted`);
/// derivatives are also checked against the documents' closed forms, evaluated here
/// independently of the rule table.
@Suite("Worked examples of the seed documents")
struct SeedTraceTests {
    /// Peharz, Neural Networks I: f(x) = sqrt(x^2 + exp(x^2)) + cos(x^2 + exp(x^2)).
    static func peharz() throws -> Graph {
        try Graph.record(inputNames: ["x"]) { v in
            let a = Recorded.pow(v[0], 2).named("a")
            let b = Recorded.exp(a).named("b")
            let c = (a + b).named("c")
            let d = Recorded.sqrt(c).named("d")
            let e = Recorded.cos(c).named("e")
            return (d + e).named("f")
        }
    }

    @Test("Peharz: forward messages and every adjoint down to df/dx = -182.87 at x = 2")
    func peharzBackwardPass() throws {
        let trace = try Self.peharz().trace(at: [2], cotangent: [1])
        let printedValues = ["a": "4", "b": "54.598", "c": "58.598", "d": "7.6549", "e": "-0.46", "f": "7.194"]
        for (name, printed) in printedValues {
            let row = try #require(trace.row(name))
            #expect(matchesPrinted(row.value, printed), "\(name) = \(row.value), printed \(printed)")
        }
        let printedAdjoints = ["f": "1", "e": "1", "d": "1", "c": "-0.822", "b": "-0.822", "a": "-45.717", "x": "-182.87"]
        for (name, printed) in printedAdjoints {
            let adjoint = try #require(trace.row(name)?.adjoint)
            #expect(matchesPrinted(adjoint, printed), "∂f/∂\(name) = \(adjoint), printed \(printed)")
        }
        #expect(trace.row("c")?.expression == "c = a + b")
        #expect(trace.row("a")?.expression == "a = x ^ 2")
        // The closed form f'(x) = 2x (1 + exp(x^2)) (1 / (2 sqrt(c)) - sin(c)).
        let c = 4 + exp(4.0)
        let exact = 4 * (1 + exp(4.0)) * (0.5 / c.squareRoot() - sin(c))
        #expect(try #require(trace.row("x")?.adjoint).isApproximatelyEqual(to: exact, relativeTolerance: 1e-14))
    }

    @Test("Peharz with a non-unit cotangent: every adjoint scales", arguments: [-2.5, 0.37, 7.0])
    func peharzScaledCotangent(w: Double) throws {
        let unit = try Self.peharz().trace(at: [2], cotangent: [1])
        let scaled = try Self.peharz().trace(at: [2], cotangent: [w])
        for (u, s) in zip(unit.rows, scaled.rows) {
            #expect(try #require(s.adjoint).isApproximatelyEqual(to: w * #require(u.adjoint), relativeTolerance: 1e-15, norm: abs))
        }
    }

    /// Ellis & Smith, Lecture 7: y = ln(x1) + x1 x2 - sin(x2), with their v1 ... v5.
    static func ellisSmith() throws -> Graph {
        try Graph.record(inputNames: ["x1", "x2"]) { x in
            let v1 = Recorded.log(x[0]).named("v1")
            let v2 = (x[0] * x[1]).named("v2")
            let v3 = Recorded.sin(x[1]).named("v3")
            let v4 = (v1 + v2).named("v4")
            return (v4 - v3).named("v5")
        }
    }

    @Test("Ellis & Smith: primal trace, tangent trace with x1-dot = 1, adjoints 5.5 and 1.716 at (2, 5)")
    func ellisSmithTraces() throws {
        let trace = try Self.ellisSmith().trace(at: [2, 5], tangentSeed: [1, 0], cotangent: [1])
        let printed: [(String, String, String)] = [  // node, value, tangent
            ("x1", "2", "1"), ("x2", "5", "0"), ("v1", "0.693", "0.5"), ("v2", "10", "5"),
            ("v3", "-0.959", "0"), ("v4", "10.693", "5.5"), ("v5", "11.652", "5.5"),
        ]
        for (name, value, tangent) in printed {
            let row = try #require(trace.row(name))
            #expect(matchesPrinted(row.value, value), "\(name) = \(row.value), printed \(value)")
            #expect(matchesPrinted(try #require(row.tangent), tangent), "\(name)-dot = \(row.tangent ?? .nan), printed \(tangent)")
        }
        for (name, printed) in [("x1", "5.5"), ("x2", "1.716"), ("v1", "1"), ("v4", "1"), ("v2", "1"), ("v3", "-1")] {
            let adjoint = try #require(trace.row(name)?.adjoint)
            #expect(matchesPrinted(adjoint, printed), "\(name)-bar = \(adjoint), printed \(printed)")
        }
        // Closed forms: ∂y/∂x1 = 1/x1 + x2, ∂y/∂x2 = x1 - cos(x2).
        #expect(trace.row("x1")?.adjoint == 5.5)
        #expect(try #require(trace.row("x2")?.adjoint).isApproximatelyEqual(to: 2 - cos(5.0), relativeTolerance: 1e-15))
    }

    /// Textbook Examples 9.4/9.5: z = x y + y cos(pi x) as a, b, c, d, z.
    static func textbook() throws -> Graph {
        try Graph.record(inputNames: ["x", "y"]) { v in
            let (x, y) = (v[0], v[1])
            let a = (x * y).named("a")
            let b = (Double.pi * x).named("b")
            let c = Recorded.cos(b).named("c")
            let d = (y * c).named("d")
            return (a + d).named("z")
        }
    }

    @Test("Textbook Example 9.5: the tangent table for dz/dx at (0.5, 2)")
    func textbookExample95() throws {
        let trace = try Self.textbook().trace(at: [0.5, 2], tangentSeed: [1, 0])
        let expected: [(String, String, Double)] = [  // node, printed value, exact tangent
            ("a", "1", 2), ("b", "1.5708", .pi), ("c", "0", -.pi), ("d", "0", -2 * .pi), ("z", "1", 2 * (1 - .pi)),
        ]
        for (name, value, tangent) in expected {
            let row = try #require(trace.row(name))
            #expect(matchesPrinted(row.value, value), "\(name) = \(row.value)")
            #expect(try #require(row.tangent).isApproximatelyEqual(to: tangent, relativeTolerance: 1e-15), "\(name)-dot")
        }
        // The closed form dz/dx = y - pi y sin(pi x).
        #expect(try #require(trace.row("z")?.tangent).isApproximatelyEqual(to: 2 - .pi * 2 * sin(.pi * 0.5), relativeTolerance: 1e-15))
    }

    @Test("Textbook Problem 1: dz/dy = x + cos(pi x) = 0.5 at (0.5, 2)")
    func textbookProblem1() throws {
        let trace = try Self.textbook().trace(at: [0.5, 2], tangentSeed: [0, 1], cotangent: [1])
        for (name, printed) in [("a", "0.5"), ("b", "0"), ("c", "0"), ("d", "0"), ("z", "0.5")] {
            #expect(matchesPrinted(try #require(trace.row(name)?.tangent), printed), "\(name)-dot")
        }
        #expect(try #require(trace.row("y")?.adjoint).isApproximatelyEqual(to: 0.5 + cos(.pi * 0.5), relativeTolerance: 1e-15))
        #expect(trace.row("b")?.tangent == 0)
    }

    /// Domke, Statistical Machine Learning notes: f = exp(exp(x) + exp(x)^2) + sin(exp(x) + exp(x)^2).
    static func domke() throws -> Graph {
        try Graph.record(inputNames: ["x"]) { v in
            let a = Recorded.exp(v[0]).named("a")
            let b = Recorded.pow(a, 2).named("b")
            let c = (a + b).named("c")
            let d = Recorded.exp(c).named("d")
            let e = Recorded.sin(c).named("e")
            return (d + e).named("f")
        }
    }

    @Test("Domke: every adjoint against his eq. 2.4 and df/dx against eq. 2.2", arguments: [-1.3, -0.2, 0.15, 0.6, 0.9])
    func domkeAgainstClosedForm(x: Double) throws {
        var rng = seededGenerator(UInt64(bitPattern: Int64(x * 1000)))
        let w = rng.nonUnit()
        let trace = try Self.domke().trace(at: [x], tangentSeed: [1], cotangent: [w])
        let a = exp(x), c = a + a * a
        // eq. 2.2
        let dfdx = exp(c) * (a + 2 * a * a) + cos(c) * (a + 2 * a * a)
        // eq. 2.4, scaled by the cotangent w
        let dfdc = w * (exp(c) + cos(c))
        let expected = ["f": w, "d": w, "e": w, "c": dfdc, "b": dfdc, "a": dfdc + dfdc * 2 * a, "x": (dfdc + dfdc * 2 * a) * a]
        for (name, value) in expected {
            #expect(try #require(trace.row(name)?.adjoint).isApproximatelyEqual(to: value, relativeTolerance: 1e-14), "∂f/∂\(name)")
        }
        #expect(try #require(trace.row("x")?.adjoint).isApproximatelyEqual(to: w * dfdx, relativeTolerance: 1e-14))
        #expect(try #require(trace.row("f")?.tangent).isApproximatelyEqual(to: dfdx, relativeTolerance: 1e-14))
    }
}
