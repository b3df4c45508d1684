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
