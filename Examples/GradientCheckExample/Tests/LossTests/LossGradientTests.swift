// The user's own tests: ADCheck holds the hand-written gradient to numerical references.
import ADCheck
import Loss
import Testing

let fit = CurveFit(t: [0.1, 0.7, 1.3, 2.2, 3.0], y: [0.4, 1.1, 1.9, 2.0, 2.6])
let w = [0.3, 0.8, -0.45]

@Test func handWrittenGradientIsRight() {
    checkGradient(of: fit.loss, gradient: fit.gradient, at: w, options: CheckOptions(inputNames: ["w0", "w1", "w2"]))
}

@Test func slipIsCaught() {
    withKnownIssue("cos for sin in ∂L/∂w2") {
        checkGradient(of: fit.loss, gradient: fit.gradientWithSlip, at: w, options: CheckOptions(inputNames: ["w0", "w1", "w2"]))
    } matching: { issue in
        issue.comments.contains { $0.rawValue.contains("∂f/∂w2: yours") }
    }
}

@Test func hessianVectorProductIsRight() {
    // The gradient is checked first, then the product against its differences, the product's
    // symmetry and second differences of the loss.
    checkHVP(of: fit.loss, gradient: fit.gradient, hvp: fit.hessianVectorProduct, at: w, options: CheckOptions(inputNames: ["w0", "w1", "w2"]))
}

@Test func hessianSlipIsCaught() {
    withKnownIssue("v[1] for v[2] in the product") {
        checkHVP(of: fit.loss, gradient: fit.gradient, hvp: fit.hessianVectorProductWithSlip, at: w, options: CheckOptions(inputNames: ["w0", "w1", "w2"]))
    } matching: { issue in
        issue.comments.contains { $0.rawValue.contains("∂²f/∂w0∂w2: yours") }
    }
}
