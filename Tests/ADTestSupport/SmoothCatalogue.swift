// Smooth test functions with derivatives computed by mpmath (50 digits) at the exact binary
// value of each Double point: the references share nothing with the code under test.
import Numerics
import Testing

public struct SmoothCase: Sendable, CustomTestStringConvertible {
    public let name: String
    public let x: Double
    /// f'(x) from mpmath `diff` at `mpf(x)` (x's exact binary value), rounded to 19 digits.
    public let exact: Double
    public let f: @Sendable (Double) -> Double
    public let fz: @Sendable (Complex<Double>) -> Complex<Double>
    /// False for points where a finite-difference oracle may only be inconclusive (singularity
    /// nearby, huge |x|); the reported error must still cover the truth whenever it says ok.
    public var nice = true

    public init(name: String, x: Double, exact: Double, f: @escaping @Sendable (Double) -> Double,
                fz: @escaping @Sendable (Complex<Double>) -> Complex<Double>, nice: Bool = true) {
        self.name = name
        self.x = x
        self.exact = exact
        self.f = f
        self.fz = fz
        self.nice = nice
    }

    public var testDescription: String { "\(name) at \(x)" }
}

public let smoothCases: [SmoothCase] = [
    SmoothCase(name: "x^1.5 (GSL manual)", x: 2.0, exact: 2.121320343559642573,
               f: { Double.pow($0, 1.5) }, fz: { Complex.pow($0, Complex(1.5, 0)) }),
    SmoothCase(name: "exp(8x)", x: 2.7, exact: 19224311552.42149264,
               f: { Double.exp(8 * $0) }, fz: { Complex.exp(8 * $0) }),
    SmoothCase(name: "sin", x: 0.7, exact: 0.7648421872844884549, f: { Double.sin($0) }, fz: { Complex.sin($0) }),
    SmoothCase(name: "exp", x: -1.3, exact: 0.272531793034012591, f: { Double.exp($0) }, fz: { Complex.exp($0) }),
    // swift-numerics' Complex.atan(2 + 2e-20 i) (and -i atanh(iz)) return an imaginary part of
    // -0: the tiny part is lost, so the complex step would see f' = 0. The log form cancels
    // (|(1+iz)/(1-iz)| = 1 - O(h)); asin(z / sqrt(1 + z^2)) keeps it (valid for Re z > 0).
    SmoothCase(name: "atan", x: 2.0, exact: 0.2, f: { Double.atan($0) },
               fz: { z in Complex.asin(z / Complex.sqrt(1 + z * z)) }),
    SmoothCase(name: "tanh", x: 0.4, exact: 0.855638786081177681, f: { Double.tanh($0) }, fz: { Complex.tanh($0) }),
    SmoothCase(name: "(x^2+1)/(x-3)", x: 1.1, exact: -1.770083102493075051,
               f: { ($0 * $0 + 1) / ($0 - 3) }, fz: { ($0 * $0 + 1) / ($0 - 3) }),
    SmoothCase(name: "log", x: 5.0, exact: 0.2, f: { Double.log($0) }, fz: { Complex.log($0) }),
    SmoothCase(name: "sqrt", x: 3.3, exact: 0.2752409412815901588, f: { $0.squareRoot() }, fz: { Complex.sqrt($0) }),
    SmoothCase(name: "exp(sin x)", x: -0.6, exact: 0.4692556125925309495,
               f: { Double.exp(Double.sin($0)) }, fz: { Complex.exp(Complex.sin($0)) }),
    SmoothCase(name: "x exp(-x^2)", x: 1.7, exact: -0.2656542962828890915,
               f: { $0 * Double.exp(-$0 * $0) }, fz: { $0 * Complex.exp(-$0 * $0) }),
    SmoothCase(name: "1/(1+25x^2)", x: 0.3, exact: -1.420118343195266365,
               f: { 1 / (1 + 25 * $0 * $0) }, fz: { 1 / (1 + 25 * $0 * $0) }),
    SmoothCase(name: "cosh", x: -2.2, exact: -4.457105170535894333, f: { Double.cosh($0) }, fz: { Complex.cosh($0) }),
    SmoothCase(name: "tan", x: 1.2, exact: 7.615963967207052053, f: { Double.tan($0) }, fz: { Complex.tan($0) }),
    SmoothCase(name: "sin, tiny x", x: 1e-10, exact: 1.0, f: { Double.sin($0) }, fz: { Complex.sin($0) }),
    SmoothCase(name: "exp, tiny x", x: 1e-10, exact: 1.0000000001, f: { Double.exp($0) }, fz: { Complex.exp($0) }),
    SmoothCase(name: "log near its singularity", x: 1e-4, exact: 9999.999999999999521,
               f: { Double.log($0) }, fz: { Complex.log($0) }, nice: false),
    SmoothCase(name: "sqrt near 0", x: 2.5e-9, exact: 9999.999999999999895,
               f: { $0.squareRoot() }, fz: { Complex.sqrt($0) }, nice: false),
    SmoothCase(name: "sin, large x", x: 1e5, exact: -0.9993608074382124519,
               f: { Double.sin($0) }, fz: { Complex.sin($0) }, nice: false),
]

