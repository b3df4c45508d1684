// Checks the derivatives a Swift user wrote by hand, from their own tests: values to inspect.
// The `check...` functions that record a test issue are in CheckIssues.swift.
@_exported import ADVerify
import Foundation

/// What a check found: the verdict, every entry with each reference's value and ± budget, and
/// who is wrong. `Codable`; `description` is the sentence a person reads first.
public typealias CheckResult = DerivativeCheckResult

/// Seed, references, tolerance factor, input and output names; see `DerivativeCheckOptions`.
public typealias CheckOptions = DerivativeCheckOptions

/// Checks derivatives given as closures against independent numerical references (central
/// differences, GSL, 5-point, Richardson), each judged by its own error budget.
///
/// ```swift
/// let result = ADCheck.check(function: loss, gradient: lossGradient, at: theta)
/// #expect(result.verdict == .pass, "\(result)")
/// ```
///
/// Every claimed entry is a derivative along a line and gets a verdict:
/// - **pass**: a conclusive reference agrees within its budget
///   `|yours - reference| <= max(10 (error estimate), 4 ulp)`, and no conclusive reference
///   disagrees;
/// - **fail**: a conclusive reference disagrees and the conclusive references agree with each
///   other (`|r_a - r_b| <= budget_a + budget_b`): your value is wrong;
/// - **inconclusive**: no reference could decide (its error bar is over 10% of the value, its
///   stencil left the function's domain, a kink where your value lies between the one-sided
///   derivatives), or the references disagree with each other. Not a failure.
///
/// The whole check fails when an entry fails, or when it cannot start: a claimed derivative of
/// the wrong length, a function that throws or is NaN or infinite at the point, or one that
/// returns different values for the same input (a function, gradient, VJP or JVP).
///
/// Float and Double (any `BinaryFloatingPoint`): the references see Double, but their steps and
/// round-off terms come from the function's own precision (`T.ulpOfOne`), so a Float gradient is
/// held to what Float can show and not to Double's 1e-10.
///
/// Cost, smooth Double function: 4 evaluations per partial (the 4-point central rule, settled
/// when it passes within `resolution`); an entry that is inconclusive, fails, or is too coarse (all
/// Float entries) also runs central differences, GSL central, 5-point and Richardson, about 100
/// more. Above `options.fastThreshold` inputs (inputs × outputs for a vector function) the
/// automatic mode checks random directions and a sample of entries instead of every entry:
/// a cost independent of the size (`CheckMode`).
public enum ADCheck {
    /// Checks the gradient function `gradient` of `f` at `x`: every partial `gradient(x)[i]`
    /// against `d/dt f(x + (t - x_i) e_i)` at `t = x_i`. `gradient` is called twice and must
    /// return the same values.
    public static func check<T: BinaryFloatingPoint>(
        function f: ([T]) throws -> T, gradient: ([T]) throws -> [T], at x: [T], options: CheckOptions = .init()
    ) -> CheckResult {
        DerivativeCheck.gradient(of: f, gradient: gradient, at: x, options: options)
    }

    /// Checks claimed gradient values `gradient` of `f` at `x`, partial by partial.
    public static func check<T: BinaryFloatingPoint>(
        function f: ([T]) throws -> T, gradient: [T], at x: [T], options: CheckOptions = .init()
    ) -> CheckResult {
        DerivativeCheck.gradient(of: f, claimed: gradient, at: x, options: options)
    }

    /// Checks the derivative function `derivative` of a scalar function `f: T -> T` at `x`:
    /// ```
    /// derivative(x)  against  d/dt f(t) at t = x
    /// ```
    /// held to the same references, budgets and verdicts as a gradient's partial (it is checked as
    /// a gradient of one entry; the result's `kind` is `.derivative`, its quantity `df/dx`, or
    /// `df/d<name>` with `options.inputNames = [name]`). Verdicts: **pass** when a conclusive
    /// reference agrees within its budget and none disagrees; **fail** when a conclusive reference
    /// disagrees and the conclusive references agree with each other; **inconclusive** when no
    /// reference could decide or the references disagree with each other. `f` and `derivative`
    /// are each called twice at `x` and must return the same value.
    public static func check<T: BinaryFloatingPoint>(
        function f: (T) throws -> T, derivative: (T) throws -> T, at x: T, options: CheckOptions = .init()
    ) -> CheckResult {
        scalar(options) { options in
            DerivativeCheck.gradient(of: { try f($0[0]) }, gradient: { [try derivative($0[0])] }, at: [x], options: options)
        }
    }

    /// Checks a claimed derivative value `f'(x)` of a scalar function `f` at `x`; see
    /// `check(function:derivative:at:options:)` for the formula and the verdicts.
    public static func check<T: BinaryFloatingPoint>(
        function f: (T) throws -> T, derivative: T, at x: T, options: CheckOptions = .init()
    ) -> CheckResult {
        scalar(options) { options in
            DerivativeCheck.gradient(of: { try f($0[0]) }, claimed: [derivative], at: [x], options: options)
        }
    }

    /// Runs a scalar check as a gradient of one entry named after the input, then names it a
    /// derivative: kind `.derivative`, quantity `df/dx`, and the caller's options.
    static func scalar(_ options: CheckOptions, _ check: (CheckOptions) -> CheckResult) -> CheckResult {
        let name = options.inputNames?.count == 1 ? options.inputNames![0] : "x"
        var named = options
        named.inputNames = [name]
        var result = check(named)
        result.kind = .derivative
        result.options = options
        let quantity = "df/d\(name)", partial = "∂f/∂\(name)"
        if case .inconclusive(let reason) = result.verdict {
            result.verdict = .inconclusive(reason: reason.replacingOccurrences(of: partial, with: quantity))
        }
        result.problem = result.problem?.replacingOccurrences(of: "the gradient function", with: "the derivative function")
        for i in result.entries.indices {
            result.entries[i].quantity = quantity
            for j in result.entries[i].checks.indices { result.entries[i].checks[j].quantity = quantity }
        }
        return result
    }

    /// Checks a claimed Jacobian of `F: R^n -> R^m` at `x`: `jacobian[k][i] = ∂F_k/∂x_i`
    /// (rows follow outputs, columns follow inputs).
    public static func check<T: BinaryFloatingPoint>(
        function F: ([T]) throws -> [T], jacobian: [[T]], at x: [T], options: CheckOptions = .init()
    ) -> CheckResult {
        DerivativeCheck.jacobian(of: F, claimed: jacobian, at: x, options: options)
    }

    /// Checks a vector-Jacobian product `vjp(x, u) = Jᵀu` (a pullback) of `F` at `x`:
    /// ```
    /// ⟨vjp(x, u), v⟩  against  d/dt ⟨u, F(x + t v)⟩ at t = 0
    /// ```
    /// for a seeded random non-unit cotangent `u` and tangent `v`, and when `n m <= 64` every
    /// entry `vjp(x, e_k)_i` against `∂F_k/∂x_i`.
    public static func check<T: BinaryFloatingPoint>(
        function F: ([T]) throws -> [T], vjp: ([T], [T]) throws -> [T], at x: [T], options: CheckOptions = .init()
    ) -> CheckResult {
        DerivativeCheck.vjp(of: F, vjp: vjp, at: x, options: options)
    }

    /// Checks a Hessian-vector product `hvp(x, v) = ∇²f(x) v` of a scalar function `f` at `x`,
    /// with your gradient as the closure the references difference:
    /// ```
    /// 1. gradient(x) against f, partial by partial (as check(function:gradient:at:))
    /// 2. ⟨u, hvp(x, v)⟩  against  d/dt ⟨u, gradient(x + t v)⟩ at t = 0    (u, v seeded, non-unit)
    ///    and, when n² <= fullJacobianLimit, every hvp(x, e_i)_k against ∂gradient_k/∂x_i
    /// 3. ⟨u, hvp(x, v)⟩  against  ⟨hvp(x, u), v⟩                          (a Hessian is symmetric)
    /// 4. ⟨u, hvp(x, v)⟩  against  second differences of f along u and v    (no derivative at all)
    /// ```
    /// A gradient that fails step 1 fails the check, and the message says so: the gradient is
    /// wrong, whatever the HVP. One that step 1 cannot decide makes the check inconclusive.
    /// Above `fastThreshold` (n²) step 2 checks random directions and a sample of entries.
    public static func check<T: BinaryFloatingPoint>(
        function f: ([T]) throws -> T, gradient: ([T]) throws -> [T], hvp: ([T], [T]) throws -> [T], at x: [T],
        options: CheckOptions = .init()
    ) -> CheckResult {
        DerivativeCheck.hvp(of: f, gradient: gradient, hvp: hvp, at: x, options: options)
    }

    /// Checks a Hessian function `hessian(x)[i][j] = ∂²f/∂x_i∂x_j` of a scalar function `f` at
    /// `x`: your gradient against f first, then every entry against the references' differences
    /// of that gradient (`∂gradient_i/∂x_j`), the symmetry `H = Hᵀ`, and `uᵀ H v` against second
    /// differences of f. Verdicts as for `check(function:gradient:hvp:at:options:)`.
    public static func check<T: BinaryFloatingPoint>(
        function f: ([T]) throws -> T, gradient: ([T]) throws -> [T], hessian: ([T]) throws -> [[T]], at x: [T],
        options: CheckOptions = .init()
    ) -> CheckResult {
        DerivativeCheck.hessian(of: f, gradient: gradient, hessian: hessian, at: x, options: options)
    }

    /// Checks a Jacobian-vector product `jvp(x, v) = J v` (a pushforward) of `F` at `x`:
    /// ```
    /// ⟨u, jvp(x, v)⟩  against  d/dt ⟨u, F(x + t v)⟩ at t = 0
    /// ```
    /// for a seeded random non-unit `u` and `v`, and when `n m <= 64` every entry
    /// `jvp(x, e_i)_k` against `∂F_k/∂x_i`.
    public static func check<T: BinaryFloatingPoint>(
        function F: ([T]) throws -> [T], jvp: ([T], [T]) throws -> [T], at x: [T], options: CheckOptions = .init()
    ) -> CheckResult {
        DerivativeCheck.jvp(of: F, jvp: jvp, at: x, options: options)
    }
}
