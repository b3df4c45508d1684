// The check functions a test calls: each records a Swift Testing issue at the caller's line
// when the check fails, or under XCTest an XCTFail there, as swift-snapshot-testing's
// `assertSnapshot` does.
import Foundation
import Testing

#if canImport(XCTest)
    import XCTest
#endif

/// Checks the gradient function `gradient` of `f` at `x` (see `ADCheck.check(function:gradient:at:options:)`)
/// and records an `Issue` at the caller's line when the check fails; the issue's comment is the
/// result's description: each wrong entry, your value, each reference with its ± budget, and
/// who is wrong. An inconclusive check records nothing (the references could not decide);
/// inspect the returned result to insist on a pass.
@discardableResult
public func checkGradient<T: BinaryFloatingPoint>(
    of f: ([T]) throws -> T, gradient: ([T]) throws -> [T], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(function: f, gradient: gradient, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// Checks claimed gradient values of `f` at `x`; records an `Issue` at the caller's line on failure.
@discardableResult
public func checkGradient<T: BinaryFloatingPoint>(
    of f: ([T]) throws -> T, gradient: [T], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(function: f, gradient: gradient, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// Checks a claimed Jacobian of `F` at `x` (rows follow outputs); records an `Issue` on failure.
@discardableResult
public func checkJacobian<T: BinaryFloatingPoint>(
    of F: ([T]) throws -> [T], jacobian: [[T]], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(function: F, jacobian: jacobian, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// Checks a VJP `vjp(x, u) = Jᵀu` of `F` at `x` with random non-unit cotangents; records an
/// `Issue` on failure.
@discardableResult
public func checkVJP<T: BinaryFloatingPoint>(
    of F: ([T]) throws -> [T], vjp: ([T], [T]) throws -> [T], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(function: F, vjp: vjp, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// Checks a JVP `jvp(x, v) = J v` of `F` at `x` with random non-unit tangents; records an
/// `Issue` on failure.
@discardableResult
public func checkJVP<T: BinaryFloatingPoint>(
    of F: ([T]) throws -> [T], jvp: ([T], [T]) throws -> [T], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(function: F, jvp: jvp, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// Records the failing result as an issue at the caller's source location (so the failure
/// shows on the user's own line, not in this library): a Swift Testing `Issue` when a Swift
/// Testing test is running, otherwise `XCTFail` where XCTest is available.
func recordFailure(_ result: CheckResult, fileID: String, filePath: StaticString, line: UInt, column: UInt) {
    guard result.verdict == .fail else { return }
    #if canImport(XCTest)
        if Test.current == nil {
            XCTFail(result.description, file: filePath, line: line)
            return
        }
    #endif
    Issue.record(
        Comment(rawValue: result.description),
        sourceLocation: SourceLocation(
            fileID: fileID, filePath: String(describing: filePath), line: Int(line), column: Int(column)))
}

// MARK: Scalar functions

/// Checks the derivative function `derivative` of a scalar function `f` at `x`:
/// ```
/// derivative(x)  against  d/dt f(t) at t = x
/// ```
/// (see `ADCheck.check(function:derivative:at:options:)`), and records an `Issue` at the caller's
/// line when the check fails (a conclusive reference disagrees with your value and the conclusive
/// references agree with each other, or the check could not start). An inconclusive check
/// records nothing.
@discardableResult
public func checkDerivative<T: BinaryFloatingPoint>(
    of f: (T) throws -> T, derivative: (T) throws -> T, at x: T, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(function: f, derivative: derivative, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// Checks a claimed derivative value `f'(x)` of a scalar function `f` at `x`; records an
/// `Issue` at the caller's line when the check fails.
@discardableResult
public func checkDerivative<T: BinaryFloatingPoint>(
    of f: (T) throws -> T, derivative: T, at x: T, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(function: f, derivative: derivative, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// Checks a Hessian-vector product `hvp(x, v) = ∇²f(x) v` of `f` at `x` against differences of
/// your `gradient` (checked first), its symmetry and second differences of f (see
/// `ADCheck.check(function:gradient:hvp:at:options:)`); records an `Issue` on failure.
@discardableResult
public func checkHVP<T: BinaryFloatingPoint>(
    of f: ([T]) throws -> T, gradient: ([T]) throws -> [T], hvp: ([T], [T]) throws -> [T], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(function: f, gradient: gradient, hvp: hvp, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// Checks a Hessian function of `f` at `x` (see `ADCheck.check(function:gradient:hessian:at:options:)`);
/// records an `Issue` on failure.
@discardableResult
public func checkHessian<T: BinaryFloatingPoint>(
    of f: ([T]) throws -> T, gradient: ([T]) throws -> [T], hessian: ([T]) throws -> [[T]], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(function: f, gradient: gradient, hessian: hessian, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

// MARK: Checks that stop the test

/// The error the `require...` functions throw when a check fails, so the test stops there (as
/// `try #require` does). `description` (and `localizedDescription`) is the result's message:
/// the verdict, then each wrong entry with your value, each reference ± budget, and who is wrong.
public struct CheckFailure: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// What the check found; its verdict is `.fail`.
    public var result: CheckResult

    public init(result: CheckResult) {
        self.result = result
    }

    public var description: String { result.description }
    public var errorDescription: String? { result.description }
}

/// Records the failure as `checkGradient` does, then throws it: the test stops at the caller's
/// line. A pass or an inconclusive result is returned.
func require(_ result: CheckResult, fileID: String, filePath: StaticString, line: UInt, column: UInt) throws(CheckFailure) -> CheckResult {
    guard result.verdict == .fail else { return result }
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    throw CheckFailure(result: result)
}

/// `checkGradient(of:gradient:at:options:)` that also stops the test: when the check fails
/// (a conclusive reference disagrees with a partial `gradient(x)[i]`, compared with
/// `d/dt f(x + (t - x_i) e_i)` at `t = x_i`, and the conclusive references agree with each other;
/// or the check could not start) it records an `Issue` at the caller's line (`XCTFail` under
/// XCTest) and throws `CheckFailure`, whose description is the message. A pass or an
/// inconclusive result is returned. The test framework also reports the thrown error, so a
/// failing `requireGradient` shows as the issue at your line and the error that ended the test.
@discardableResult
public func requireGradient<T: BinaryFloatingPoint>(
    of f: ([T]) throws -> T, gradient: ([T]) throws -> [T], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(function: f, gradient: gradient, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// Claimed gradient values of `f` at `x`, checked partial by partial; records an issue and
/// throws `CheckFailure` when the check fails (see `requireGradient(of:gradient:at:options:)`).
@discardableResult
public func requireGradient<T: BinaryFloatingPoint>(
    of f: ([T]) throws -> T, gradient: [T], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(function: f, gradient: gradient, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// A claimed Jacobian of `F` at `x`, `jacobian[k][i]` against `d/dt F_k(x + (t - x_i) e_i)` at
/// `t = x_i`; records an issue and throws `CheckFailure` when the check fails.
@discardableResult
public func requireJacobian<T: BinaryFloatingPoint>(
    of F: ([T]) throws -> [T], jacobian: [[T]], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(function: F, jacobian: jacobian, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// A VJP of `F` at `x`, `⟨vjp(x, u), v⟩` against `d/dt ⟨u, F(x + t v)⟩` at `t = 0` for seeded
/// random non-unit `u`, `v` (and entry by entry when small); records an issue and throws
/// `CheckFailure` when the check fails.
@discardableResult
public func requireVJP<T: BinaryFloatingPoint>(
    of F: ([T]) throws -> [T], vjp: ([T], [T]) throws -> [T], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(function: F, vjp: vjp, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// A JVP of `F` at `x`, `⟨u, jvp(x, v)⟩` against `d/dt ⟨u, F(x + t v)⟩` at `t = 0` for seeded
/// random non-unit `u`, `v` (and entry by entry when small); records an issue and throws
/// `CheckFailure` when the check fails.
@discardableResult
public func requireJVP<T: BinaryFloatingPoint>(
    of F: ([T]) throws -> [T], jvp: ([T], [T]) throws -> [T], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(function: F, jvp: jvp, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// The derivative function of a scalar `f` at `x`, `derivative(x)` against `d/dt f(t)` at
/// `t = x`; records an issue and throws `CheckFailure` when the check fails.
@discardableResult
public func requireDerivative<T: BinaryFloatingPoint>(
    of f: (T) throws -> T, derivative: (T) throws -> T, at x: T, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(function: f, derivative: derivative, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// A claimed derivative value `f'(x)` of a scalar `f`; records an issue and throws
/// `CheckFailure` when the check fails.
@discardableResult
public func requireDerivative<T: BinaryFloatingPoint>(
    of f: (T) throws -> T, derivative: T, at x: T, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(function: f, derivative: derivative, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// `checkHVP(of:gradient:hvp:at:options:)` that also stops the test: records an issue and throws
/// `CheckFailure` when the check fails.
@discardableResult
public func requireHVP<T: BinaryFloatingPoint>(
    of f: ([T]) throws -> T, gradient: ([T]) throws -> [T], hvp: ([T], [T]) throws -> [T], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(function: f, gradient: gradient, hvp: hvp, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// `checkHessian(of:gradient:hessian:at:options:)` that also stops the test: records an issue
/// and throws `CheckFailure` when the check fails.
@discardableResult
public func requireHessian<T: BinaryFloatingPoint>(
    of f: ([T]) throws -> T, gradient: ([T]) throws -> [T], hessian: ([T]) throws -> [[T]], at x: [T], options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(function: f, gradient: gradient, hessian: hessian, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}
