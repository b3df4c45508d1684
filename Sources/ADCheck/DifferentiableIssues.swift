// The differentiable-Swift checks a test calls: each records an issue at the caller's line when
// the check fails (a Swift Testing `Issue`, or `XCTFail` under XCTest), as `checkGradient` does;
// the `require...` forms also throw `CheckFailure` so the test stops there.
#if canImport(_Differentiation)
import _Differentiation

/// Checks the gradient `valueWithPullback(at: x, of: f)` gives a `@differentiable(reverse)`
/// function with a scalar result: `pullback(1)_i` against `d/dt f(x + (t - x_i) e_i)` at
/// `t = x_i` (the references), the value against `f(x)`, and the pullback's linearity
/// (`pullback(s u) = s pullback(u)` for a random non-unit `s`, so a pullback that ignores its
/// cotangent fails); see `ADCheck.check(gradientOf:at:options:)`. Records an `Issue` at the
/// caller's line when the check fails; an inconclusive check records nothing.
/// ```swift
/// checkGradient(of: { (m: Model) in m.loss(on: batch) }, at: model)
/// ```
@discardableResult
public func checkGradient<X: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector & BinaryFloatingPoint>(
    of f: @differentiable(reverse) (X) -> R, at x: X, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(gradientOf: f, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// The gradient of a function of two arguments at `(x, y)` (as `gradient(at: x, y, of: f)`);
/// records an `Issue` at the caller's line when the check fails.
@discardableResult
public func checkGradient<X: CheckableDifferentiable, Y: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector & BinaryFloatingPoint>(
    of f: @differentiable(reverse) (X, Y) -> R, at x: X, _ y: Y, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(gradientOf: f, at: x, y, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// The gradient of a function of three arguments at `(x, y, z)`; records an `Issue` at the
/// caller's line when the check fails.
@discardableResult
public func checkGradient<
    X: CheckableDifferentiable, Y: CheckableDifferentiable, Z: CheckableDifferentiable,
    R: CheckableDifferentiable & FlatVector & BinaryFloatingPoint
>(
    of f: @differentiable(reverse) (X, Y, Z) -> R, at x: X, _ y: Y, _ z: Z, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(gradientOf: f, at: x, y, z, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// Checks the pullback of a `@differentiable(reverse)` function with a vector result as a VJP:
/// `⟨pullback(u), v⟩` against `d/dt ⟨u, f(x + t v)⟩` at `t = 0` for seeded random non-unit
/// `u`, `v` (and entry by entry when small), with the value and linearity entries; see
/// `ADCheck.check(vjpOf:at:options:)`. Records an `Issue` at the caller's line on failure.
@discardableResult
public func checkVJP<X: CheckableDifferentiable, Y: CheckableDifferentiable & FlatVector>(
    of f: @differentiable(reverse) (X) -> Y, at x: X, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(vjpOf: f, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// The VJP of a function of two arguments with a vector result at `(x, y)`; records an `Issue`
/// at the caller's line on failure.
@discardableResult
public func checkVJP<X: CheckableDifferentiable, Y: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector>(
    of f: @differentiable(reverse) (X, Y) -> R, at x: X, _ y: Y, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(vjpOf: f, at: x, y, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// Checks a derivative registered with `@derivative(of: original)`, called directly: its value
/// against `original(x)` (4 ulps), its pullback linear (`pullback(0) = 0`, additive,
/// homogeneous for a random non-unit scalar), using its cotangent, deterministic, and agreeing
/// with the references on random cotangents; see
/// `ADCheck.check(customDerivativeOf:vjp:at:options:)` for each entry's budget and message.
/// Records an `Issue` at the caller's line when the check fails.
/// ```swift
/// checkCustomDerivative(of: softplus, vjp: softplusVJP, at: 30.0)
/// ```
@discardableResult
public func checkCustomDerivative<X: CheckableDifferentiable, Y: CheckableDifferentiable & FlatVector>(
    of original: (X) -> Y, vjp derivative: (X) -> (value: Y, pullback: (Y.TangentVector) -> X.TangentVector),
    at x: X, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(customDerivativeOf: original, vjp: derivative, at: x, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

/// A registered derivative of a function of two arguments, at `(x, y)`; records an `Issue` at
/// the caller's line when the check fails.
@discardableResult
public func checkCustomDerivative<X: CheckableDifferentiable, Y: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector>(
    of original: (X, Y) -> R,
    vjp derivative: (X, Y) -> (value: R, pullback: (R.TangentVector) -> (X.TangentVector, Y.TangentVector)),
    at x: X, _ y: Y, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> CheckResult {
    let result = ADCheck.check(customDerivativeOf: original, vjp: derivative, at: x, y, options: options)
    recordFailure(result, fileID: fileID, filePath: filePath, line: line, column: column)
    return result
}

// MARK: Checks that stop the test

/// `checkGradient(of:at:options:)` that also stops the test: when the check fails it records
/// the issue at the caller's line and throws `CheckFailure` (whose description is the message).
/// A pass or an inconclusive result is returned.
@discardableResult
public func requireGradient<X: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector & BinaryFloatingPoint>(
    of f: @differentiable(reverse) (X) -> R, at x: X, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(gradientOf: f, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// The gradient of a function of two arguments; records an issue and throws `CheckFailure`
/// when the check fails.
@discardableResult
public func requireGradient<X: CheckableDifferentiable, Y: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector & BinaryFloatingPoint>(
    of f: @differentiable(reverse) (X, Y) -> R, at x: X, _ y: Y, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(gradientOf: f, at: x, y, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// The gradient of a function of three arguments; records an issue and throws `CheckFailure`
/// when the check fails.
@discardableResult
public func requireGradient<
    X: CheckableDifferentiable, Y: CheckableDifferentiable, Z: CheckableDifferentiable,
    R: CheckableDifferentiable & FlatVector & BinaryFloatingPoint
>(
    of f: @differentiable(reverse) (X, Y, Z) -> R, at x: X, _ y: Y, _ z: Z, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(gradientOf: f, at: x, y, z, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// `checkVJP(of:at:options:)` that also stops the test; records an issue and throws
/// `CheckFailure` when the check fails.
@discardableResult
public func requireVJP<X: CheckableDifferentiable, Y: CheckableDifferentiable & FlatVector>(
    of f: @differentiable(reverse) (X) -> Y, at x: X, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(ADCheck.check(vjpOf: f, at: x, options: options), fileID: fileID, filePath: filePath, line: line, column: column)
}

/// `checkCustomDerivative(of:vjp:at:options:)` that also stops the test; records an issue and
/// throws `CheckFailure` when the check fails.
@discardableResult
public func requireCustomDerivative<X: CheckableDifferentiable, Y: CheckableDifferentiable & FlatVector>(
    of original: (X) -> Y, vjp derivative: (X) -> (value: Y, pullback: (Y.TangentVector) -> X.TangentVector),
    at x: X, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(
        ADCheck.check(customDerivativeOf: original, vjp: derivative, at: x, options: options),
        fileID: fileID, filePath: filePath, line: line, column: column)
}

/// A registered derivative of a function of two arguments; records an issue and throws
/// `CheckFailure` when the check fails.
@discardableResult
public func requireCustomDerivative<X: CheckableDifferentiable, Y: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector>(
    of original: (X, Y) -> R,
    vjp derivative: (X, Y) -> (value: R, pullback: (R.TangentVector) -> (X.TangentVector, Y.TangentVector)),
    at x: X, _ y: Y, options: CheckOptions = .init(),
    fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) throws(CheckFailure) -> CheckResult {
    try require(
        ADCheck.check(customDerivativeOf: original, vjp: derivative, at: x, y, options: options),
        fileID: fileID, filePath: filePath, line: line, column: column)
}
#endif
