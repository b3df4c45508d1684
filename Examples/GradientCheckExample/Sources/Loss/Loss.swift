// A small least-squares loss with a gradient written by hand, as a user's library would have.
import Foundation

/// `L(w) = ½ Σ_i (w0 + w1 t_i + w2 sin(t_i) - y_i)²` over fixed data.
public struct CurveFit: Sendable {
    public var t: [Double]
    public var y: [Double]

    public init(t: [Double], y: [Double]) {
        self.t = t
        self.y = y
    }

    public func loss(_ w: [Double]) -> Double {
        var s = 0.0
        for i in t.indices {
            let r = w[0] + w[1] * t[i] + w[2] * sin(t[i]) - y[i]
            s += r * r
        }
        return s / 2
    }

    /// `∂L/∂w = Σ_i r_i (1, t_i, sin t_i)`.
    public func gradient(_ w: [Double]) -> [Double] {
        var g = [0.0, 0.0, 0.0]
        for i in t.indices {
            let r = w[0] + w[1] * t[i] + w[2] * sin(t[i]) - y[i]
            g[0] += r
            g[1] += r * t[i]
            g[2] += r * sin(t[i])
        }
        return g
    }

    /// `∇²L(w) v = Σ_i φ_i (φ_i · v)` with `φ_i = (1, t_i, sin t_i)`: the residuals are linear in w,
    /// so the Hessian is `Σ_i φ_i φ_iᵀ`, whatever w is.
    public func hessianVectorProduct(_ w: [Double], _ v: [Double]) -> [Double] { product(v, third: 2) }

    /// The same product with a slip: `φ_i · v` taken with `v[1]` for `v[2]` (an index typo).
    public func hessianVectorProductWithSlip(_ w: [Double], _ v: [Double]) -> [Double] { product(v, third: 1) }

    /// `Σ_i φ_i (φ_i0 v_0 + φ_i1 v_1 + φ_i2 v_third)`.
    private func product(_ v: [Double], third: Int) -> [Double] {
        var hv = [0.0, 0.0, 0.0]
        for i in t.indices {
            let phi = [1, t[i], sin(t[i])]
            let dot = phi[0] * v[0] + phi[1] * v[1] + phi[2] * v[third]
            for k in 0..<3 { hv[k] += phi[k] * dot }
        }
        return hv
    }

    /// The same gradient with a slip a reviewer could miss: `cos` for `sin` in the last entry.
    public func gradientWithSlip(_ w: [Double]) -> [Double] {
        var g = gradient(w)
        g[2] = 0
        for i in t.indices {
            let r = w[0] + w[1] * t[i] + w[2] * sin(t[i]) - y[i]
            g[2] += r * cos(t[i])
        }
        return g
    }
}
