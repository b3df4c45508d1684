// The default step of every difference rule, in one place so the choices can be read together.
import Numerics

/// Default steps of the difference rules, relative to `s = max(|x|, 1)`.
///
/// A rule with truncation error `C_t h^p |f^(p+1)|` and round-off `C_r eps |f| / h` has its total
/// error minimised at `h ~ eps^(1/(p+1)) * s`, where `s` is the scale on which `f` varies.
/// We do not know that scale, so we take `max(|x|, 1)`: relative to `|x|` for large arguments
/// (so that `x + h != x` and the relative step is the same at `x = 1e6` as at `x = 1`), absolute
/// near zero (so `h` does not vanish at `x = 0`). Functions that vary on a much smaller scale
/// than that (`sin(x/y)` with `y = 1e-3`) get a larger truncation error, which the error
/// estimate reports; the adaptive methods (Richardson, GSL) recover from it.
///
/// | rule | order p | step | error at the optimum (relative) |
/// |---|---|---|---|
/// | forward / backward | 1 | `sqrt(eps) * s` ≈ 1.5e-8 s | ~1e-8 |
/// | central | 2 | `cbrt(eps) * s` ≈ 6.1e-6 s | ~1e-11 |
/// | 4-point central | 4 (error bar 2) | `cbrt(18 eps) * s` ≈ 1.6e-5 s | ~1e-10 (its bar) |
/// | 5-point | 4 | `eps^(1/5) * s` ≈ 7.4e-4 s | ~1e-13 |
/// | Richardson | – | starts at `0.1 * s`, shrinks by 1.4 | ~1e-13 |
/// | complex step | 2, no cancellation | `1e-20 * max(|x|, 1e-150)` | ~1e-16 |
///
/// `epsilon` is the unit round-off of the precision f is computed in: a Float function seen
/// through a Double closure rounds its values to `Float.ulpOfOne`, so its balanced steps are
/// `cbrt(1.2e-7) ≈ 4.9e-3` (central) and `1.2e-7^(1/5) ≈ 0.041` (5-point) times `s`.
public enum StepRule {
    /// `sqrt(eps) * max(|x|, 1)`: balances `h |f''| / 2` against `2 eps |f| / h`.
    public static func oneSided(at x: Double, epsilon: Double = .ulpOfOne) -> Double { epsilon.squareRoot() * stepScale(x) }

    /// `cbrt(eps) * max(|x|, 1)`: balances `h^2 |f'''| / 6` against `eps |f| / h`.
    public static func central(at x: Double, epsilon: Double = .ulpOfOne) -> Double { Double.pow(epsilon, 1.0 / 3.0) * stepScale(x) }

    /// `cbrt(18 eps) * max(|x|, 1)` ≈ 2.6 `central`: the outer step of the 4-point central rule
    /// (`fourPointCentralDifference`), whose error estimate is `h^2 |f'''| / 6` (the 3-point rule's
    /// truncation) plus `6 eps |f| / h` (its weights 2 (4/3 + 1/6) times 2 ulps); they balance at
    /// `h^3 = 18 eps |f| / |f'''|`.
    public static func fourPointCentral(at x: Double, epsilon: Double = .ulpOfOne) -> Double {
        Double.pow(18 * epsilon, 1.0 / 3.0) * stepScale(x)
    }

    /// `eps^(1/5) * max(|x|, 1)`: balances `h^4 |f^(5)| / 30` against `1.5 eps |f| / h`.
    public static func fivePoint(at x: Double, epsilon: Double = .ulpOfOne) -> Double { Double.pow(epsilon, 0.2) * stepScale(x) }

    /// `0.1 * max(|x|, 1)`: Ridders' method wants a first step over which `f` changes
    /// appreciably; the tableau then shrinks it (and restarts 16 times smaller if needed).
    public static func richardson(at x: Double) -> Double { 0.1 * stepScale(x) }

    /// `1e-20 * max(|x|, 1e-150)`: the complex step has no subtractive cancellation, so `h` only
    /// needs `h^2 |f'''| / 6` below an ulp of `f'`. Relative to `|x|` so that functions with a
    /// singularity at 0 (`sqrt` at `2.5e-9`) still see a tiny relative step; floored at `1e-150`
    /// so that `h * f'` stays far from the underflow threshold at `x = 0`.
    public static func complexStep(at x: Double) -> Double { 1e-20 * Swift.max(abs(x), 1e-150) }
}
