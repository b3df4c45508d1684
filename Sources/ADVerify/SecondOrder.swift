// Second derivatives of a case that expects them (`expect.hessian`, `expect.hvp`): the core's
// forward-over-reverse products against the expected numbers, against three families of
// references that share no code with them, and against their own symmetry.
import ADCatalog
import ADCore
import ADNumeric
import Foundation
import Numerics

extension CaseVerification {
    /// The references a second-order row runs, in report column order: differences of the
    /// verified reverse gradient (its component `i` along the row's direction), second
    /// differences of f, and differences of the complex-step gradient (analytic graphs).
    static let gradientOracles: [DifferenceMethod] = [.gslCentral, .central, .fivePoint, .richardson]
    static let secondDifferenceOracles: [DifferenceMethod] = [.secondCentral, .secondRichardson]
    static let complexStepGradientOracles: [DifferenceMethod] = [.gslCentral]

    /// Every Hessian entry (when the case expects a Hessian) and every component of each
    /// expected `∇²f v`, each a row with its expectation and references; then the symmetry of
    /// the Hessian and `<w, ∇²f v> = <∇²f w, v>` for random non-unit `w`, `v`.
    mutating func secondOrderChecks() throws(CaseFailure) {
        let x = c.point, n = graph.inputCount
        let wantsHessian = c.expectations.contains { if case .secondPartial = $0.quantity { true } else { false } }
        var hessian: [[Double]] = []
        var products: [[Double]] = []
        // What the references' budgets need at x, once per cotangent: the gradient of Σ u_k F_k
        // and its Hessian's rows (the Hessian's own, or n products for an hvp block).
        var atPoint: [[Double]: PointDerivatives] = [:]
        do {
            if wantsHessian {
                hessian = try workspace.hessian(at: x)
                let u = c.hvpCotangent(-1)
                atPoint[u] = PointDerivatives(gradient: try workspace.vjp(at: x, cotangent: u), hessianRows: hessian)
            }
            for (d, v) in c.hvpDirections.enumerated() {
                let u = c.hvpCotangent(d)
                products.append(try workspace.hvp(at: x, direction: v, cotangent: u))
                if atPoint[u] == nil {
                    atPoint[u] = PointDerivatives(gradient: try workspace.vjp(at: x, cotangent: u), hessianRows: try workspace.hessian(at: x, cotangent: u))
                }
            }
        } catch {
            throw CaseFailure(error.description)
        }
        if wantsHessian {
            for i in 0..<n {
                for j in 0..<n {
                    let q = Quantity.secondPartial(first: i, second: j)
                    var row = QuantityRow(quantity: label(q), kind: .secondPartial, forward: nil, reverse: hessian[i][j])
                    expectationChecks(q, computed: hessian[i][j], row: &row)
                    let u = c.hvpCotangent(-1)
                    try secondOrderOracles(ad: hessian[i][j], component: i, along: unit(j, n), cotangent: u, at: atPoint[u]!, row: &row)
                    rows.append(row)
                }
            }
            // H_ij and H_ji come from different sweeps (along e_j and along e_i).
            var scale = 0.0
            for r in hessian { for h in r where h.isFinite { scale = Swift.max(scale, abs(h)) } }
            for i in 0..<n {
                for j in (i + 1)..<Swift.max(n, i + 1) {
                    var check = Check(
                        quantity: "\(label(.secondPartial(first: i, second: j))) = \(label(.secondPartial(first: j, second: i)))",
                        kind: .symmetry,
                        comparison: compareModes(forward: hessian[i][j], reverse: hessian[j][i], scale: scale, tolerance: agreement))
                    check.detail = "the Hessian is symmetric: the product along \(c.inputNames[j]) against the product along \(c.inputNames[i])"
                    checks.append(check)
                }
            }
        }
        for (d, v) in c.hvpDirections.enumerated() {
            for i in 0..<n {
                let q = Quantity.hvp(direction: d, input: i)
                var row = QuantityRow(quantity: label(q), kind: .hvp, forward: nil, reverse: products[d][i])
                expectationChecks(q, computed: products[d][i], row: &row)
                let u = c.hvpCotangent(d)
                try secondOrderOracles(ad: products[d][i], component: i, along: v, cotangent: u, at: atPoint[u]!, row: &row)
                rows.append(row)
            }
        }
        try hessianDotProductTest()
    }

    /// `<w, ∇²f v>` against `<∇²f w, v>` for non-unit `w`, `v` drawn from the case id: two
    /// products along different directions must agree through the Hessian's symmetry. For a
    /// vector function, the Hessian of `Σ u_k F_k` with the first hvp block's cotangent.
    private mutating func hessianDotProductTest() throws(CaseFailure) {
        let n = graph.inputCount
        let (w, v) = dotProductVectors(seed: c.id + "/hessian", outputs: n, inputs: n)
        let u = c.hvpCotangent(c.hvpDirections.isEmpty ? -1 : 0)
        let hv: [Double], hw: [Double]
        do {
            hv = try workspace.hvp(at: c.point, direction: v, cotangent: u)
            hw = try workspace.hvp(at: c.point, direction: w, cotangent: u)
        } catch {
            throw CaseFailure(error.description)
        }
        // The dot-product test's comparison, with ∇²f in the place of J (it is its own transpose).
        var check = dotProductCheck(u: w, jv: hv, jtu: hw, v: v, tolerance: agreement, detail: "Hessian-vector products along random non-unit w and v")
        check.kind = .symmetry
        let h = c.isScalar ? "∇²\(c.outputName(0))" : "Σ u_k ∇²F_k"
        check.quantity = "<w, \(h) v> = <\(h) w, v>"
        if case .inconclusive = check.comparison.verdict {
            check.comparison.verdict = .inconclusive(reason: "the Hessian has non-finite entries: no inner product to compare")
        }
        checks.append(check)
    }

    /// The references for `ad = ∂/∂t [∂f/∂x_i](x + t b)` (a Hessian entry when `b` is a unit
    /// vector, a component of `∇²f b` otherwise): each family's cells go into `row`, its checks
    /// into `checks`.
    private mutating func secondOrderOracles(
        ad: Double, component i: Int, along b: [Double], cotangent u: [Double], at point: PointDerivatives, row: inout QuantityRow
    ) throws(CaseFailure) {
        let x = c.point, n = graph.inputCount
        let graph = self.graph, outputs = graph.outputNodes
        let line = LineDirection(b)
        let t0 = line.start(x)
        let kink = try secondOrderKink(component: i, along: b, cotangent: u)
        let (lineError, pointError) = abscissaErrors(component: i, along: b, at: point)
        // A gradient component is a sum of path products (AD's and the complex step's alike):
        // where they cancel, its rounding is relative to their sum, not to the component.
        var paths = 0.0
        if let a = pathProducts { for k in u.indices where u[k] != 0 { paths += abs(u[k]) * a[k * n + i] } }
        let gradientError = lineError + 4 * Double.ulpOfOne * (paths.isFinite ? paths : 0)

        // 1. The verified reverse gradient's component i along b (of Σ u_k F_k: a VJP).
        var gradientWorkspace = Workspace(for: graph)
        gradientWorkspace.ruleMutation = runner.ruleMutation
        gradientWorkspace.kinkConvention = kinks
        var p = x
        var gradient = [Double](repeating: 0, count: n)
        let g: (Double) throws -> Double = { t in
            line.place(t, from: x, into: &p)
            try gradientWorkspace.vjp(at: p, cotangent: u, into: &gradient)
            return gradient[i]
        }
        evaluations += runOracles(
            ad: ad, of: g, at: t0, knowing: LineKnowledge(kink: kink, evaluationError: gradientError), methods: Self.gradientOracles,
            tolerance: oracleTolerance, row: &row, checks: &checks, closure: .gradient)

        // 2. Second differences of f itself along e_i and b. Both moves are made relative, so one
        // step suits both: s moves x_i by s max(|x_i|, 1), t moves x_j by t max(|x_j|, 1) along
        // an axis, or x by t b / max|b_k| along a direction (as the first-order references' t
        // does, on the scale 1); the estimate is scaled back.
        var fWorkspace = Workspace(for: graph)
        var q = x
        let axisIndex: Int? = b.count(where: { $0 != 0 }) == 1 ? b.firstIndex(where: { $0 != 0 }) : nil
        let sScale = Swift.max(abs(x[i]), 1)
        let tScale = axisIndex.map { Swift.max(abs(x[$0]), 1) / abs(b[$0]) } ?? 1 / b.reduce(0.0) { Swift.max($0, abs($1)) }
        let f: (Double, Double) throws -> Double = { s, t in
            for k in 0..<n { q[k] = x[k] + t * tScale * b[k] }
            q[i] += s * sScale
            try fWorkspace.evaluate(at: q)
            var sum = 0.0
            for k in outputs.indices where u[k] != 0 { sum += u[k] * fWorkspace.value(of: outputs[k]) }
            return sum
        }
        let diagonal = b.indices.allSatisfy { b[$0] == (($0 == i) ? 1 : 0) }
        // Each weighted output's rounding, as the first-order oracles count it, at the point and
        // at the stencil's far corner (at a minimum such as Rosenbrock's (1, 1) every intermediate
        // is 0 at the point and O(h) around it: the noise at the point alone is 0), and the
        // rounding of the moved coordinates.
        var corner = x
        for k in 0..<n { corner[k] += 1e-3 * tScale * b[k] }
        corner[i] += 1e-3 * sScale
        var cornerWorkspace = Workspace(for: graph)
        let cornerNoise: Workspace? = (try? cornerWorkspace.linearize(at: corner)).map { cornerWorkspace }
        var evaluationError = pointError
        for (k, output) in outputs.enumerated() where u[k] != 0 {
            if roundingNoise[output] == nil { roundingNoise[output] = .some(workspace.roundingNoise(of: output)) }
            let noise = Swift.max((roundingNoise[output] ?? nil) ?? 0, (cornerNoise?.roundingNoise(of: output) ?? nil) ?? 0)
            evaluationError += abs(u[k]) * Double.ulpOfOne * noise
        }
        for method in Self.secondDifferenceOracles {
            var estimate = secondDifference(of: f, diagonal: diagonal, scale: 1, method: method, evaluationError: evaluationError)
            let back = 1 / (sScale * tScale)
            estimate = Estimate(
                value: estimate.value * back, truncationError: estimate.truncationError * back,
                roundoffError: estimate.roundoffError * back, step: estimate.step, evaluations: estimate.evaluations,
                method: estimate.method, status: estimate.status, note: estimate.note)
            evaluations += estimate.evaluations
            var comparison = oracleTolerance.compare(ad, with: estimate)
            if comparison.verdict == .fail, let kink {
                // The stencil reaches 2h (4h for Richardson) in s and t.
                let reach = (method == .secondRichardson ? 4 : 2) * estimate.step * Swift.max(sScale, tScale * b.reduce(0.0) { Swift.max($0, abs($1)) })
                if kink.distance <= reach {
                    comparison.verdict = .inconclusive(
                        reason: "\(method.rawValue): the kink of \(kink.node) lies \(format(kink.distance)) away, within the stencil's reach \(format(reach)): the differences straddle two branches")
                }
            }
            row.oracles.append(OracleCell(
                method: method, requested: method, value: estimate.value, error: estimate.error,
                verdict: comparison.verdict, note: estimate.note))
            checks.append(Check(quantity: row.quantity, kind: .oracle, comparison: comparison))
            row.verdict = worse(row.verdict, comparison.verdict)
            let magnitude = Swift.max(abs(ad), abs(comparison.reference))
            if comparison.verdict == .pass, ad == comparison.reference || magnitude > oracleTolerance.absoluteFloor {
                row.agreeingDigits = Swift.max(row.agreeingDigits ?? 0, comparison.agreeingDigits)
            }
        }

        // 3. The complex-step gradient's component i along b: no AD, no difference of f twice.
        if graph.isAnalytic {
            let h = StepRule.complexStep(at: x[i])
            var z = [Complex<Double>](repeating: .zero, count: n)
            func gamma(_ t: Double, step: Double) throws -> Double {
                line.place(t, from: x, into: &p)
                for k in 0..<n { z[k] = Complex(p[k], k == i ? step : 0) }
                let values = try graph.evaluateComplex(at: z)
                var sum = 0.0
                for k in values.indices where u[k] != 0 { sum += u[k] * values[k].imaginary }
                return sum / step
            }
            // Each value's own error, as the first-order complex step estimates it: 9/8 of its
            // change from h to 3h (a branch cut or a buried imaginary part shows there), and near
            // underflow the absolute digits an imaginary part keeps (4.9e-324), divided by h.
            let own = ((try? gamma(t0, step: 3 * h)).flatMap { a in (try? gamma(t0, step: h)).map { 9.0 / 8 * abs(a - $0) } }) ?? 0
            let noise = (own.isFinite ? own : .infinity) + Double.leastNonzeroMagnitude / h
            evaluations += 2 + runOracles(
                ad: ad, of: { try gamma($0, step: h) }, at: t0, knowing: LineKnowledge(kink: kink, evaluationError: gradientError + noise),
                methods: Self.complexStepGradientOracles, tolerance: oracleTolerance, row: &row, checks: &checks, closure: .complexStepGradient)
        }
    }

    /// How much the rounding of the points a reference evaluates at moves what it differences:
    /// a line `x + t b` off an axis rounds every coordinate it moves, by up to `eps |x_k|`.
    /// - `line`: for the differenced gradient component `i`, `eps Σ_k |∂²f/∂x_i∂x_k| |x_k|` over
    ///   the moved coordinates (0 along an axis, whose steps are exact);
    /// - `point`: for f in the second differences, `eps Σ_k |∂f/∂x_k| |x_k|` over `i` and the
    ///   coordinates b moves.
    /// Both from AD (row i of the Hessian of Σ u_k F_k, and its gradient, at x): sizes of error
    /// budgets only, as the first-order engine takes its Jacobian rows.
    private func abscissaErrors(component i: Int, along b: [Double], at point: PointDerivatives) -> (line: Double, point: Double) {
        let x = c.point, n = graph.inputCount
        let moved = (0..<n).filter { b[$0] != 0 || $0 == i }
        let axis = b.indices.allSatisfy { b[$0] == 0 || b[$0] == 1 } && b.count(where: { $0 != 0 }) == 1
        let eps = Double.ulpOfOne
        let line = axis ? 0 : eps * moved.reduce(0.0) { $0 + abs(point.hessianRows[i][$1]) * abs(x[$1]) }
        let value = eps * moved.reduce(0.0) { $0 + abs(point.gradient[$1]) * abs(x[$1]) }
        return (line.isFinite ? line : 0, value.isFinite ? value : 0)
    }

    /// The nearest kink of a piecewise node feeding the output, along e_i or along b: a
    /// reference whose stencil reaches it is inconclusive, not a failure. `nil` for analytic graphs.
    private mutating func secondOrderKink(
        component i: Int, along b: [Double], cotangent u: [Double]
    ) throws(CaseFailure) -> (distance: Double, node: String)? {
        let finders = graph.outputNodes.enumerated().filter { u[$0.offset] != 0 }.map { KinkFinder(graph: graph, target: $0.element) }
        guard finders.contains(where: { !$0.piecewise.isEmpty }) else { return nil }
        var nearest: (distance: Double, node: String)?
        for direction in [unit(i, graph.inputCount), b] {
            do { try workspace.forward(seeds: direction, width: 1) } catch { throw CaseFailure(error.description) }
            for finder in finders {
                if let k = finder.nearest(in: workspace), k.distance < (nearest?.distance ?? .infinity) {
                    nearest = (k.distance, names[k.node])
                }
            }
        }
        return nearest
    }
}

/// The gradient of `Σ u_k F_k` at the case's point and its Hessian's rows, by AD: the sizes the
/// second-order references' budgets are made of (`abscissaErrors`).
struct PointDerivatives {
    var gradient: [Double]
    var hessianRows: [[Double]]
}
