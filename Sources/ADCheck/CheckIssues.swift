// The check functions a test calls: each records a Swift Testing issue at the caller's line
// when the check fails, or under XCTest an XCTFail there, as swift-snapshot-testing's
// `assertSnapshot` does.
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
