// Checks of Swift's differentiable programming: a `@differentiable(reverse)` function's gradient
// or VJP as `valueWithPullback` computes it, and a derivative registered with `@derivative(of:)`,
// against the properties of a pullback and the numerical references. Issues at the caller's line
// are recorded by the functions in DifferentiableIssues.swift.
#if canImport(_Differentiation)
import _Differentiation

extension ADCheck {
    /// Checks the gradient Swift computes for a `@differentiable(reverse)` function `f` with a
    /// scalar result (Double or Float) at `x` (a scalar, SIMD vector, array, or your own
    /// `CheckableDifferentiable` model):
    /// ```
    /// (y, pullback) = valueWithPullback(at: x, of: f)
    /// pullback(1)_i                 against  d/dt f(x + (t - x_i) e_i) at t = x_i   (the references)
    /// y                             against  f(x), to 4 ulps
    /// pullback(s u)                 against  s pullback(u)   (s a random non-unit scalar, ±1.625 … ±4.875)
    /// pullback(u + u')              against  pullback(u) + pullback(u'),  pullback(0) = 0
    /// ```
    /// and two calls must agree bit for bit. Each is an entry of the result; see
    /// `check(customDerivativeOf:vjp:at:options:)` for the budgets and messages. Verdicts:
    /// **fail** when a property does not hold or a conclusive reference disagrees with a partial
    /// while the conclusive references agree with each other; **pass** when nothing fails;
    /// **inconclusive** when no reference could decide a partial and nothing failed.
    ///
    /// The coordinates are `x`'s own entries when it is a `FlatVector` (Double, Float, SIMD,
    /// arrays), else the displacement `δ` of `x.move(by: x.tangentVector(flatValues: δ))` from
    /// `x`, 0 at the point (the result's `point`). The check runs in Float when any argument or
    /// the result is Float, else in Double.
    public static func check<X: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector & BinaryFloatingPoint>(
        gradientOf f: @differentiable(reverse) (X) -> R, at x: X, options: CheckOptions = .init()
    ) -> CheckResult {
        pullbackOf(f, at: x, kind: .gradient, options: options)
    }

    /// The gradient of a function of two arguments, as `gradient(at: x, y, of: f)` computes it,
    /// checked at `(x, y)` as `check(gradientOf:at:options:)` does; the coordinates are `x`'s
    /// entries, then `y`'s (named `x`, `y[0]`, ...).
    public static func check<X: CheckableDifferentiable, Y: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector & BinaryFloatingPoint>(
        gradientOf f: @differentiable(reverse) (X, Y) -> R, at x: X, _ y: Y, options: CheckOptions = .init()
    ) -> CheckResult {
        pullbackOf(f, at: x, y, kind: .gradient, options: options)
    }

    /// The gradient of a function of three arguments at `(x, y, z)`; see
    /// `check(gradientOf:at:options:)`.
    public static func check<
        X: CheckableDifferentiable, Y: CheckableDifferentiable, Z: CheckableDifferentiable,
        R: CheckableDifferentiable & FlatVector & BinaryFloatingPoint
    >(
        gradientOf f: @differentiable(reverse) (X, Y, Z) -> R, at x: X, _ y: Y, _ z: Z, options: CheckOptions = .init()
    ) -> CheckResult {
        let a = FlatArgument(x), b = FlatArgument(y), c = FlatArgument(z)
        let r = f(x, y, z)
        return pullbackCheck(
            .gradient, [a.erased, b.erased, c.erased], r, "valueWithPullback", options,
            evaluate: { p, exact in
                let q = split(p, [a.count, b.count, c.count])
                return f(a.build(q[0], exact: exact), b.build(q[1], exact: exact), c.build(q[2], exact: exact)).flatValues
            },
            derivative: {
                let (value, pullback) = valueWithPullback(at: x, y, z, of: f)
                return (value.flatValues, { u in
                    let (gx, gy, gz) = pullback(r.tangentVector(flatValues: u))
                    return a.flat(gx) + b.flat(gy) + c.flat(gz)
                })
            })
    }

    /// Checks the pullback Swift computes for a `@differentiable(reverse)` function with a vector
    /// result (an array, a SIMD vector, any `CheckableDifferentiable & FlatVector`) at `x`, as a
    /// VJP with seeded random non-unit cotangents (DerivativeCheck's `vjp`):
    /// ```
    /// ⟨pullback(u), v⟩  against  d/dt ⟨u, F(x + t v)⟩ at t = 0
    /// ```
    /// and every entry `pullback(e_k)_i` against `∂F_k/∂x_i` when `n m <= fullJacobianLimit`;
    /// plus the value and linearity entries of `check(gradientOf:at:options:)`. Verdicts as
    /// there.
    public static func check<X: CheckableDifferentiable, Y: CheckableDifferentiable & FlatVector>(
        vjpOf f: @differentiable(reverse) (X) -> Y, at x: X, options: CheckOptions = .init()
    ) -> CheckResult {
        pullbackOf(f, at: x, kind: .vjp, options: options)
    }

    /// The VJP of a function of two arguments with a vector result at `(x, y)`; see
    /// `check(vjpOf:at:options:)`.
    public static func check<X: CheckableDifferentiable, Y: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector>(
        vjpOf f: @differentiable(reverse) (X, Y) -> R, at x: X, _ y: Y, options: CheckOptions = .init()
    ) -> CheckResult {
        pullbackOf(f, at: x, y, kind: .vjp, options: options)
    }

    /// Checks a derivative you register with `@derivative(of: original)`: the function
    /// returning `(value: original(x), pullback: ...)`, called directly, against the original.
    /// ```swift
    /// @derivative(of: softplus)
    /// func softplusVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) { ... }
    ///
    /// let result = ADCheck.check(customDerivativeOf: softplus, vjp: softplusVJP, at: 30)
    /// ```
    /// The entries, each with its message when it fails (`u`, `u'` seeded random non-unit
    /// cotangents rounded to the check's precision, `s` a random non-unit scalar `±(13 + 2k)/8`,
    /// `ε` the unit round-off, norms the largest entry):
    /// - `value`: `|value_i − original(x)_i| <= 4 ε max(|value_i|, |original_i|)` (4 ulps of the
    ///   result's precision): "the registered derivative's value is not the original's:
    ///   value = … but original(x) = … (1.9e+08 ulps apart; 4 allowed)". Not bit for bit: a stable
    ///   derivative may compute the value through another formula that rounds differently;
    /// - `two calls`: the value and `pullback(u)` bit for bit equal across two calls of the
    ///   derivative and two calls of one pullback: "… is not deterministic: …";
    /// - `pullback(0)`: exactly zero: "the pullback does not map zero to zero: pullback(0) = …";
    /// - `pullback(u + u')` against `pullback(u) + pullback(u')` within
    ///   `32 ε (|pullback(u)| + |pullback(u')| + |pullback(u + u')|) + r (|u| + |u'|)`: "the
    ///   pullback is not additive: pullback(u + u') = … but pullback(u) + pullback(u') = …";
    /// - `pullback(s u)` against `s pullback(u)` within
    ///   `32 ε (|s pullback(u)| + |pullback(s u)|) + 2 r |s| |u|`: "the pullback is not
    ///   homogeneous: pullback(2.625 u) = … but 2.625 pullback(u) = …". `r` is what the
    ///   references resolve per unit of cotangent (a partial's tightest conclusive budget, or
    ///   twice that of the VJP's inner product over `|u|`; 0 when none is conclusive): a
    ///   difference nobody can see is not reported;
    /// - `cotangent`: fails when `pullback(u)`, `pullback(u')` and `pullback(s u)` are the same
    ///   nonzero tangent: "the pullback ignores its cotangent: …";
    /// - then the references: for a scalar result every partial `pullback(1)_i` (a gradient
    ///   check), else `⟨pullback(u), v⟩` against `d/dt ⟨u, original(x + t v)⟩` and, when small,
    ///   every entry (a VJP check), with the engine's verdicts and messages.
    ///
    /// The result's `kind` is `.gradient` for a one-entry result, else `.vjp`. Verdict: **fail**
    /// when any entry fails or the check cannot start (a tangent of the wrong shape, an original
    /// that is not finite at the point); **pass** when none fails and an entry passed;
    /// **inconclusive** otherwise.
    public static func check<X: CheckableDifferentiable, Y: CheckableDifferentiable & FlatVector>(
        customDerivativeOf original: (X) -> Y,
        vjp derivative: (X) -> (value: Y, pullback: (Y.TangentVector) -> X.TangentVector),
        at x: X, options: CheckOptions = .init()
    ) -> CheckResult {
        let a = FlatArgument(x)
        let y = original(x)
        return pullbackCheck(
            y.flatCount == 1 ? .gradient : .vjp, [a.erased], y, "the registered derivative", options,
            evaluate: { p, exact in original(a.build(p[...], exact: exact)).flatValues },
            derivative: {
                let (value, pullback) = derivative(x)
                return (value.flatValues, { u in a.flat(pullback(y.tangentVector(flatValues: u))) })
            })
    }

    /// A registered derivative of a function of two arguments, its pullback returning both
    /// tangents; checked at `(x, y)` as `check(customDerivativeOf:vjp:at:options:)` does.
    public static func check<X: CheckableDifferentiable, Y: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector>(
        customDerivativeOf original: (X, Y) -> R,
        vjp derivative: (X, Y) -> (value: R, pullback: (R.TangentVector) -> (X.TangentVector, Y.TangentVector)),
        at x: X, _ y: Y, options: CheckOptions = .init()
    ) -> CheckResult {
        let a = FlatArgument(x), b = FlatArgument(y)
        let r = original(x, y)
        return pullbackCheck(
            r.flatCount == 1 ? .gradient : .vjp, [a.erased, b.erased], r, "the registered derivative", options,
            evaluate: { p, exact in
                let q = split(p, [a.count, b.count])
                return original(a.build(q[0], exact: exact), b.build(q[1], exact: exact)).flatValues
            },
            derivative: {
                let (value, pullback) = derivative(x, y)
                return (value.flatValues, { u in
                    let (gx, gy) = pullback(r.tangentVector(flatValues: u))
                    return a.flat(gx) + b.flat(gy)
                })
            })
    }

    /// Runs a pullback check in Float when an argument or the result is Float (coarser than
    /// Double), else in Double.
    static func pullbackCheck<Y: CheckableDifferentiable & FlatVector>(
        _ kind: CheckResult.Kind, _ arguments: [ArgumentShape], _ y: Y, _ name: String, _ options: CheckOptions,
        evaluate: ([Double], Bool) -> [Double], derivative: () -> (value: [Double], pullback: FlatPullback)
    ) -> CheckResult {
        let outputEpsilon = Swift.max(Double(Y.CheckScalar.ulpOfOne), Double(Y.FlatScalar.ulpOfOne))
        let original = y.flatValues
        // A result whose entries do not line up with its tangent's cannot be read.
        let mismatch = original.count == y.tangentCount ? nil
            : "the result has \(original.count) entries but its tangent has \(y.tangentCount): its FlatVector and CheckableDifferentiable conformances disagree"
        let subject = PullbackSubject(
            kind: kind, arguments: arguments, names: coordinateNames(arguments.map(\.count)), original: mismatch == nil ? original : [],
            outputEpsilon: outputEpsilon, derivativeName: name, problem: mismatch)
        if (arguments.map(\.epsilon) + [outputEpsilon]).contains(where: { $0 > Double.ulpOfOne }) {
            return PullbackCheck.run(subject, in: Float.self, options: options, evaluate: evaluate, derivative: derivative)
        }
        return PullbackCheck.run(subject, in: Double.self, options: options, evaluate: evaluate, derivative: derivative)
    }
}

extension ADCheck {
    /// `valueWithPullback` of a function of one argument, checked as a gradient (scalar result)
    /// or a VJP (vector result): the body both `check(gradientOf:...)` and `check(vjpOf:...)` share.
    static func pullbackOf<X: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector>(
        _ f: @differentiable(reverse) (X) -> R, at x: X, kind: CheckResult.Kind, options: CheckOptions
    ) -> CheckResult {
        let a = FlatArgument(x)
        let y = f(x)
        return pullbackCheck(
            kind, [a.erased], y, "valueWithPullback", options,
            evaluate: { p, exact in f(a.build(p[...], exact: exact)).flatValues },
            derivative: {
                let (value, pullback) = valueWithPullback(at: x, of: f)
                return (value.flatValues, { u in a.flat(pullback(y.tangentVector(flatValues: u))) })
            })
    }

    /// The same for a function of two arguments; the coordinates are `x`'s, then `y`'s.
    static func pullbackOf<X: CheckableDifferentiable, Y: CheckableDifferentiable, R: CheckableDifferentiable & FlatVector>(
        _ f: @differentiable(reverse) (X, Y) -> R, at x: X, _ y: Y, kind: CheckResult.Kind, options: CheckOptions
    ) -> CheckResult {
        let a = FlatArgument(x), b = FlatArgument(y)
        let r = f(x, y)
        return pullbackCheck(
            kind, [a.erased, b.erased], r, "valueWithPullback", options,
            evaluate: { p, exact in
                let q = split(p, [a.count, b.count])
                return f(a.build(q[0], exact: exact), b.build(q[1], exact: exact)).flatValues
            },
            derivative: {
                let (value, pullback) = valueWithPullback(at: x, y, of: f)
                return (value.flatValues, { u in
                    let (gx, gy) = pullback(r.tangentVector(flatValues: u))
                    return a.flat(gx) + b.flat(gy)
                })
            })
    }
}
#endif
