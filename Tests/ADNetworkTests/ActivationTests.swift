// Activation values and derivatives against high-precision constants (mpmath, 30 digits)
// and closed forms, and the kink convention 1(x >= 0).
import ADNetwork
import ADTestSupport
import Foundation
import PropertyBased
import Testing

@Suite("Activations")
struct ActivationTests {
    /// (activation, x, phi(x), phi'(x)), the values from mpmath at 30 digits.
    static let references: [(Activation, Double, Double, Double)] = [
        (.tanh, 2, 0.96402758007581688395, 0.070650824853164465686),
        (.tanh, -0.7, -0.60436777711716349631, 0.63473958998245858737),
        // 1 - tanh^2 would give 0 here: tanh(20) rounds to 1.
        (.tanh, 20, 1, 1.6993417021166355837e-17),
        (.tanh, -9, -0.99999996954004097448, 6.0919917123232291941e-08),
        (.sigmoid, 1, 0.73105857863000487925, 0.19661193324148185254),
        (.sigmoid, -3.5, 0.029312230751356318865, 0.028453023879735559840),
        (.softplus, 1, 1.3132616875182228340, 0.73105857863000487925),
        (.softplus, -30, 9.3576229688397367741e-14, 9.3576229688392989538e-14),
        (.softplus, 40, 40.000000000000000004, 1),
        (.elu(1.3), -0.5, -0.51151014237357654932, 0.78848985762642345068),
        (.elu(1.3), 0.25, 0.25, 1),
        (.leakyRelu(0.1), -2.5, -0.25, 0.1),
        (.leakyRelu(0.1), 3, 3, 1),
        (.relu, -1e-300, 0, 0),
        (.relu, 1e-300, 1e-300, 1),
        (.identity, -7.25, -7.25, 1),
    ]

    @Test("Values and derivatives within 4 ulps of 30-digit references")
    func highPrecision() {
        for (a, x, value, derivative) in Self.references {
            #expect(ulps(a.value(x), from: value) <= 4, "\(a.name)(\(x)) = \(a.value(x)), expected \(value)")
            #expect(ulps(a.derivative(x), from: derivative) <= 4, "\(a.name)'(\(x)) = \(a.derivative(x)), expected \(derivative)")
        }
    }

    @Test("Closed forms: sigmoid' = sigma(x) sigma(-x) = e^-x/(1+e^-x)^2, tanh' = sech^2, softplus = log1p(e^x), softplus' = 1/(1+e^-x), elu' = a e^x")
    func closedForms() {
        var rng = seededGenerator(5)
        for _ in 0..<200 {
            let x = Double.random(in: -8...8, using: &rng)
            let e = exp(-x)
            #expect(Activation.sigmoid.value(x).isApproximatelyEqual(to: 1 / (1 + e), relativeTolerance: 1e-14))
            #expect(Activation.sigmoid.derivative(x).isApproximatelyEqual(to: e / ((1 + e) * (1 + e)), relativeTolerance: 1e-13))
            let sech = 1 / cosh(x)
            #expect(Activation.tanh.derivative(x).isApproximatelyEqual(to: sech * sech, relativeTolerance: 1e-14))
            #expect(Activation.softplus.value(x).isApproximatelyEqual(to: log1p(exp(x)), relativeTolerance: 1e-14))
            // softplus' = 1 / (1 + e^-x), written here: not the code's own sigmoid.
            #expect(Activation.softplus.derivative(x).isApproximatelyEqual(to: 1 / (1 + e), relativeTolerance: 1e-14))
            if x < 0 {
                #expect(Activation.elu(0.7).derivative(x).isApproximatelyEqual(to: 0.7 * exp(x), relativeTolerance: 1e-15))
            }
        }
    }

    @Test("Kinks at 0 take the x >= 0 branch: relu'(0) = leaky_relu'(0) = elu'(0) = 1")
    func kinks() {
        for a in [Activation.relu, .leakyRelu(0.1), .elu(1.3)] {
            #expect(a.hasKink)
            #expect(a.value(0) == 0)
            #expect(a.derivative(0) == 1, "\(a.name)'(0)")
            #expect(a.derivative(-0.0) == 1, "\(a.name)'(-0) (-0 >= 0)")
            #expect(a.derivative(-Double.leastNonzeroMagnitude) != 1, "\(a.name)' just left of 0")
        }
        for a in [Activation.identity, .sigmoid, .tanh, .softplus] { #expect(!a.hasKink) }
    }

    @Test("No overflow at the ends: sigmoid(-800) = 0, softplus(800) = 800, tanh(+-800) = +-1")
    func extremes() {
        #expect(Activation.sigmoid.value(-800) == 0)
        #expect(Activation.sigmoid.value(800) == 1)
        #expect(Activation.sigmoid.derivative(800) == 0)
        #expect(Activation.softplus.value(800) == 800)
        #expect(Activation.softplus.value(-800) == 0)
        #expect(Activation.tanh.value(800) == 1 && Activation.tanh.value(-800) == -1)
        #expect(Activation.tanh.derivative(800) == 0)
    }
}
