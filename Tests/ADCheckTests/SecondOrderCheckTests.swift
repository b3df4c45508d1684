// ADCheck on a user's second derivatives: a Hessian-vector product closure and a Hessian closure,
// right and wrong in each way the check names (the product, its symmetry, the gradient it leans
// on), in Double and Float, full and fast.
import ADCheck
import Foundation
import Testing

/// f(x) = Σ_k sin(x_k) x_{k+1} + exp(0.3 x_k), indices cyclic (n >= 3):
/// ∂f/∂x_k = cos(x_k) x_{k+1} + sin(x_{k-1}) + 0.3 exp(0.3 x_k),
/// H_kk = -sin(x_k) x_{k+1} + 0.09 exp(0.3 x_k), H_{k,k+1} = H_{k+1,k} = cos(x_k).
enum Cyclic {
    static func f<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: [T]) -> T {
        let n = x.count
        var s = T(0)
        for k in 0..<n {
            let term: T = T.sin(x[k]) * x[(k + 1) % n]
            s += term + T.exp(T(0.3) * x[k])
        }
        return s
    }
    static func gradient<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: [T]) -> [T] {
        let n = x.count
        return (0..<n).map { (k: Int) -> T in
            let a: T = T.cos(x[k]) * x[(k + 1) % n]
            let b: T = T.sin(x[(k + n - 1) % n])
            return a + b + T(0.3) * T.exp(T(0.3) * x[k])
        }
    }
    static func hessian<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: [T]) -> [[T]] {
        let n = x.count
        var h = [[T]](repeating: [T](repeating: 0, count: n), count: n)
        for k in 0..<n {
            let curvature: T = -T.sin(x[k]) * x[(k + 1) % n]
            h[k][k] = curvature + T(0.09) * T.exp(T(0.3) * x[k])
            h[k][(k + 1) % n] += T.cos(x[k])
            h[(k + 1) % n][k] += T.cos(x[k])
        }
        return h
    }
    static func hvp<T: BinaryFloatingPoint & ElementaryFunctionsLike>(_ x: [T], _ v: [T]) -> [T] {
        hessian(x).map { (row: [T]) -> T in zip(row, v).reduce(T(0)) { $0 + $1.0 * $1.1 } }
    }
    static func point<T: BinaryFloatingPoint>(_ n: Int) -> [T] {
        (0..<n).map { (k: Int) -> T in
            let wobble = Double(k * k % 5)
            return T(0.4 + 0.37 * Double(k) - 0.11 * wobble)
        }
    }
}

@Suite("ADCheck: second derivatives")
struct SecondOrderCheckTests {
    @Test("a right HVP passes: the product, every entry, the symmetry and the second differences", arguments: [3, 5])
    func rightHVP(n: Int) {
        let x: [Double] = Cyclic.point(n)
        let r = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hvp: Cyclic.hvp, at: x)
        #expect(r.verdict == .pass, "\(r)")
        #expect(r.kind == .hvp)
        #expect(r.entries.first?.quantity == "⟨u, ∇²f v⟩ = ⟨u, hvp(x, v)⟩")
        #expect(r.entries.contains { $0.quantity == "∂²f/∂x[0]²" } && r.entries.contains { $0.quantity == "∂²f/∂x[0]∂x[1]" })
        #expect(r.entries.contains { $0.quantity.contains("(symmetry)") && $0.verdict == .pass })
        let second = r.entries.first { $0.quantity == "⟨u, ∇²f v⟩ by second differences of f" }
        #expect(second?.verdict == .pass, "\(second?.message ?? "")")
        #expect(r.entries.count == 1 + n * n + 2)
    }

    @Test("a wrong mixed term fails, named, against the gradient's differences and the second differences alike")
    func wrongHVP() {
        let x: [Double] = Cyclic.point(4)
        let wrong: ([Double], [Double]) -> [Double] = { x, v in
            var h = Cyclic.hessian(x)
            h[0][1] *= -1
            h[1][0] *= -1
            return h.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } }
        }
        let r = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hvp: wrong, at: x)
        #expect(r.verdict == .fail)
        let failed = Set(r.failures.map(\.quantity))
        #expect(failed.isSuperset(of: ["⟨u, ∇²f v⟩ = ⟨u, hvp(x, v)⟩", "∂²f/∂x[0]∂x[1]", "∂²f/∂x[1]∂x[0]", "⟨u, ∇²f v⟩ by second differences of f"]), "\(failed)")
        #expect(!failed.contains("∂²f/∂x[2]²"))
        #expect(r.description.contains("your value is off by"))
    }

    @Test("an HVP that is not symmetric fails its symmetry entry")
    func asymmetricHVP() {
        let x: [Double] = Cyclic.point(3)
        let lopsided: ([Double], [Double]) -> [Double] = { x, v in
            var h = Cyclic.hessian(x)
            h[0][2] += 0.25
            return h.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } }
        }
        let r = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hvp: lopsided, at: x)
        #expect(r.verdict == .fail)
        let symmetry = r.entries.first { $0.quantity.contains("(symmetry)") }
        #expect(symmetry?.verdict == .fail && symmetry?.finding.contains("not symmetric") == true, "\(symmetry?.finding ?? "")")
    }

    @Test("a wrong gradient fails the check before any second derivative, and the message says the gradient is wrong")
    func wrongGradient() {
        let x: [Double] = Cyclic.point(3)
        let r = ADCheck.check(function: Cyclic.f, gradient: { Cyclic.gradient($0).map { $0 * 1.01 } }, hvp: Cyclic.hvp, at: x)
        #expect(r.verdict == .fail)
        #expect(r.problem?.hasPrefix("your gradient function fails its own check") == true, "\(r.problem ?? "")")
        #expect(r.entries.allSatisfy { $0.quantity.hasPrefix("∂f/∂") })
    }

    @Test("Float: a right HVP and Hessian pass without a false failure; a 1 % error still fails")
    func float() {
        let x: [Float] = Cyclic.point(4)
        let hvp = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hvp: Cyclic.hvp, at: x)
        #expect(hvp.verdict != .fail, "\(hvp)")
        #expect(hvp.precision == "Float")
        let hessian = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hessian: Cyclic.hessian, at: x)
        #expect(hessian.verdict != .fail, "\(hessian)")
        let off = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hessian: { x in
            var h: [[Float]] = Cyclic.hessian(x)
            h[2][2] *= 1.01
            return h
        }, at: x)
        #expect(off.verdict == .fail && off.failures.contains { $0.quantity == "∂²f/∂x[2]²" }, "\(off)")
    }

    @Test("a Hessian closure: right passes; a wrong entry, an asymmetric matrix and a wrong shape fail")
    func hessianClosure() {
        let x: [Double] = Cyclic.point(4)
        let right = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hessian: Cyclic.hessian, at: x)
        #expect(right.verdict == .pass, "\(right)")
        #expect(right.kind == .hessian && right.entries.count == 16 + 2)
        let asymmetric = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hessian: { x in
            var h: [[Double]] = Cyclic.hessian(x)
            h[3][1] = 0.5
            return h
        }, at: x)
        #expect(asymmetric.verdict == .fail)
        #expect(asymmetric.entries.contains { $0.quantity == "hessian[1][3] = hessian[3][1] (symmetry, the worst pair)" && $0.verdict == .fail })
        #expect(asymmetric.failures.contains { $0.quantity == "∂²f/∂x[3]∂x[1]" })
        let shape = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hessian: { x in Array(Cyclic.hessian(x).dropLast()) }, at: x)
        #expect(shape.verdict == .fail && shape.problem == "the Hessian has 3 rows for 4 inputs", "\(shape.problem ?? "")")
    }

    @Test("fast mode: random directions and a sample, at a cost that does not grow with n")
    func fast() {
        let x: [Double] = Cyclic.point(40)
        let options = CheckOptions(mode: .fast)
        let r = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hvp: Cyclic.hvp, at: x, options: options)
        #expect(r.verdict == .pass, "\(r)")
        #expect(r.mode == .fast && r.entries.count < 40)
        let wrong = ADCheck.check(function: Cyclic.f, gradient: Cyclic.gradient, hvp: { x, v in Cyclic.hvp(x, v).map { $0 * 1.001 } }, at: x, options: options)
        #expect(wrong.verdict == .fail, "\(wrong)")
    }

    @Test("checkHVP and checkHessian record an issue at the caller's line; require throws")
    func issues() throws {
        let x: [Double] = Cyclic.point(3)
        withKnownIssue {
            checkHVP(of: Cyclic.f, gradient: Cyclic.gradient, hvp: { x, v in Cyclic.hvp(x, v).map { -$0 } }, at: x)
        }
        withKnownIssue {
            checkHessian(of: Cyclic.f, gradient: Cyclic.gradient, hessian: { x in Cyclic.hessian(x).map { $0.map { $0 * 2 } } }, at: x)
        }
        var thrown: CheckFailure?
        withKnownIssue {
            do throws(CheckFailure) {
                try requireHVP(of: Cyclic.f, gradient: Cyclic.gradient, hvp: { x, v in Cyclic.hvp(x, v).map { -$0 } }, at: x)
            } catch {
                thrown = error
            }
        }
        #expect(thrown?.result.kind == .hvp && thrown?.result.verdict == .fail)
        #expect(try requireHVP(of: Cyclic.f, gradient: Cyclic.gradient, hvp: Cyclic.hvp, at: x).verdict == .pass)
        #expect(try requireHessian(of: Cyclic.f, gradient: Cyclic.gradient, hessian: Cyclic.hessian, at: x).verdict == .pass)
        #expect(checkHessian(of: Cyclic.f, gradient: Cyclic.gradient, hessian: Cyclic.hessian, at: x).verdict == .pass)
    }
}
