// Gradients and Jacobians, one partial derivative at a time, by any method.
import Numerics

/// Errors ADNumeric reports inside estimates (as the reason of an inconclusive result).
public enum ADNumericError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A vector function returned a different number of outputs at a perturbed point.
    case outputCountChanged(expected: Int, got: Int, input: Int)

    public var description: String {
        switch self {
        case let .outputCountChanged(expected, got, input):
            "the function returned \(got) outputs instead of \(expected) when input \(input) was perturbed"
        }
    }
}

/// A gradient: one `Estimate` per input, in input order.
public struct GradientEstimate: Codable, Sendable, Hashable {
    /// `partials[i]` estimates `df/dx_i`. Its `evaluations` excludes the shared `f(x)`.
    public var partials: [Estimate]
    /// Calls of `f` in all, `f(x)` counted once.
    public var evaluations: Int
    public var method: DifferenceMethod

    /// The partial derivatives' values.
    public var values: [Double] { partials.map(\.value) }
}

/// A Jacobian: `entries[i][j]` estimates `d f_i / d x_j` (rows follow outputs, columns inputs).
public struct JacobianEstimate: Codable, Sendable, Hashable {
    public var entries: [[Estimate]]
    /// Calls of the vector function in all (each call serves every output).
    /// An entry's own `evaluations` is what the scalar method cost for that output alone.
    public var evaluations: Int
    public var method: DifferenceMethod
    /// Why `entries` is empty: the function threw at `x` itself.
    public var failure: String?
}

/// The gradient of `f` at `x`, one partial at a time, by `method`.
///
/// The loop perturbs one reused copy of `x` (no array per evaluation) and evaluates `f(x)` once
/// for all partials, so the forward difference with `estimateError: false` is exactly Domke's
/// loop: `n + 1` evaluations. Per partial (plus the shared `f(x)`): forward/backward 3
/// (1 without error estimate), central 6, 5-point 8, Richardson ~24-84, GSL central 12-24,
/// GSL forward/backward 4-8. For `.complexStep` use `complexStepGradient(of:at:estimateError:)`.
public func gradient(
    of f: ([Double]) throws -> Double, at x: [Double], method: DifferenceMethod, estimateError: Bool = true
) -> GradientEstimate {
    var point = x
    var centerLog = EvaluationLog()
    let usesCenter = !method.isGSL
    let fx = usesCenter ? sample({ _ in try f(point) }, 0, &centerLog) : nil
    var partials: [Estimate] = []
    partials.reserveCapacity(x.count)
    var total = centerLog.count
    for i in x.indices {
        let xi = x[i]
        var log = EvaluationLog()
        var e: Estimate
        if let fx, !fx.isFinite {
            e = .inconclusive(
                centerLog.failureReason ?? "f(x) = \(fx) is not finite", method: method, step: .nan, evaluations: 0)
        } else {
            e = estimateDerivative(
                { t in
                    point[i] = t
                    return try f(point)
                }, xi, method: method, step: nil, fx: fx, estimateError: estimateError, &log)
        }
        point[i] = xi
        total += e.evaluations
        partials.append(e)
    }
    return GradientEstimate(partials: partials, evaluations: total, method: method)
}

/// The gradient by the complex step: `df/dx_j = Im f(x + i h e_j) / h`.
///
/// Cost: 2 complex evaluations per partial (1 with `estimateError: false`). The closure receives
/// one reused array in which only entry `j` has a non-zero imaginary part.
public func complexStepGradient(
    of f: ([Complex<Double>]) throws -> Complex<Double>, at x: [Double], estimateError: Bool = true
) -> GradientEstimate {
    var point = x.map { Complex($0, 0) }
    var partials: [Estimate] = []
    partials.reserveCapacity(x.count)
    var total = 0
    for j in x.indices {
        let e = complexStepDerivative(
            of: { z in
                point[j] = z
                return try f(point)
            }, at: x[j], estimateError: estimateError)
        point[j] = Complex(x[j], 0)
        total += e.evaluations
        partials.append(e)
    }
    return GradientEstimate(partials: partials, evaluations: total, method: .complexStep)
}

/// The Jacobian of `f: R^n -> R^m` at `x` by `method`, one input (column) at a time.
///
/// Each column's stencil points are evaluated once and shared by all `m` outputs (the steps
/// depend only on `x_j`); the adaptive methods (Richardson, GSL) may ask for extra points for
/// some outputs. A function whose output count changes makes the affected entries inconclusive.
public func jacobian(
    of f: ([Double]) throws -> [Double], at x: [Double], method: DifferenceMethod, estimateError: Bool = true
) -> JacobianEstimate {
    var point = x
    var total = 1
    let y0: [Double]
    do {
        y0 = try f(point)
    } catch {
        return JacobianEstimate(entries: [], evaluations: 1, method: method, failure: "the function threw at x: \(error)")
    }
    let m = y0.count
    var entries = Array(repeating: [Estimate](), count: m)
    for i in 0..<m { entries[i].reserveCapacity(x.count) }
    var cache: [(t: Double, y: [Double])] = []
    for j in x.indices {
        let xj = x[j]
        cache.removeAll(keepingCapacity: true)
        cache.append((xj, y0))
        for i in 0..<m {
            var log = EvaluationLog()
            let e = estimateDerivative(
                { t in
                    if let hit = cache.first(where: { $0.t == t }) { return hit.y[i] }
                    point[j] = t
                    defer { point[j] = xj }
                    total += 1
                    let y = try f(point)
                    guard y.count == m else { throw ADNumericError.outputCountChanged(expected: m, got: y.count, input: j) }
                    cache.append((t, y))
                    return y[i]
                }, xj, method: method, step: nil, fx: method.isGSL ? nil : y0[i],
                estimateError: estimateError, &log)
            entries[i].append(e)
        }
    }
    return JacobianEstimate(entries: entries, evaluations: total, method: method, failure: nil)
}

/// The Jacobian by the complex step, one input (column) at a time; the two complex evaluations
/// per column serve every output.
public func complexStepJacobian(
    of f: ([Complex<Double>]) throws -> [Complex<Double>], at x: [Double], estimateError: Bool = true
) -> JacobianEstimate {
    var point = x.map { Complex($0, 0) }
    let m: Int
    do {
        m = try f(point).count
    } catch {
        return JacobianEstimate(
            entries: [], evaluations: 1, method: .complexStep, failure: "the function threw at x: \(error)")
    }
    var total = 1
    var entries = Array(repeating: [Estimate](), count: m)
    var cache: [(s: Double, y: [Complex<Double>])] = []
    for j in x.indices {
        cache.removeAll(keepingCapacity: true)
        for i in 0..<m {
            let e = complexStepDerivative(
                of: { z in
                    if let hit = cache.first(where: { $0.s == z.imaginary }) { return hit.y[i] }
                    point[j] = z
                    defer { point[j] = Complex(x[j], 0) }
                    total += 1
                    let y = try f(point)
                    guard y.count == m else { throw ADNumericError.outputCountChanged(expected: m, got: y.count, input: j) }
                    cache.append((z.imaginary, y))
                    return y[i]
                }, at: x[j], estimateError: estimateError)
            entries[i].append(e)
        }
    }
    return JacobianEstimate(entries: entries, evaluations: total, method: .complexStep, failure: nil)
}

extension DifferenceMethod {
    /// GSL's routines never evaluate `f(x)` itself, so the loops do not compute it for them.
    var isGSL: Bool { self == .gslCentral || self == .gslForward || self == .gslBackward }
}
