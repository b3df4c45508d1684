// The benchmark run: every family, every method, every peer, timed against the primal of the
// same run, and the targets judged from the measurements.
import ADCatalog
import ADCore
import ADNumeric
import ADPeers
import ComplexModule
import Foundation

/// What `adverify bench` runs.
public struct BenchOptions: Sendable {
    /// CI mode: smaller sizes, fewer pairs, the numerical loops only up to n = 10^3.
    public var quick: Bool
    /// Only these families (all when nil): sum-sin-exp, chain, jacobian, textbook, mlp, error-curve, catalogue.
    public var families: Set<String>?
    /// The catalogue folder, for the textbook functions and the catalogue's run time.
    public var casesDirectory: String
    /// The command that runs the catalogue (this binary with `run`), or nil to skip it.
    public var catalogueCommand: [String]?
    /// Python peers to run, or nil.
    public var python: PythonPeers?
    /// Only these measurements (keys `family/label/size/method`, `mlp/threads-T/B/…`), for
    /// re-measuring suspected regressions; nil measures everything. The error curve, the
    /// catalogue and the Python peers are left out when it is set.
    public var only: Set<String>?

    public init(quick: Bool, families: Set<String>? = nil, casesDirectory: String = "cases", catalogueCommand: [String]? = nil, python: PythonPeers? = nil) {
        self.quick = quick
        self.families = families
        self.casesDirectory = casesDirectory
        self.catalogueCommand = catalogueCommand
        self.python = python
    }

    /// Every family name `--family` accepts.
    public static let familyNames = ["sum-sin-exp", "chain", "jacobian", "textbook", "mlp", "error-curve", "catalogue"]

    func includes(_ family: String) -> Bool {
        (families?.contains(family) ?? true) && wantsAny(family + "/")
    }

    /// Whether the measurement with this key is to be taken.
    func wants(_ key: String) -> Bool { only?.contains(key) ?? true }

    /// Whether any measurement to be taken has a key starting with `prefix`.
    func wantsAny(_ prefix: String) -> Bool { only?.contains { $0.hasPrefix(prefix) } ?? true }

    /// Whether anything at this size (and label) of the family is to be measured.
    func wants(family: String, size: Int, label: String? = nil) -> Bool {
        wantsAny([family, label, String(size)].compactMap { $0 }.joined(separator: "/") + "/")
    }

    /// sum-sin-exp sizes.
    var sumSinExpSizes: [Int] { quick ? [10, 100, 1_000, 10_000] : [10, 100, 1_000, 10_000, 100_000, 1_000_000] }
    /// Chain depths.
    var chainDepths: [Int] { quick ? [1, 10, 100, 1_000] : [1, 10, 100, 1_000, 10_000, 100_000] }
    /// The varied dimension of the jacobian family (the other is 100).
    var jacobianSizes: [Int] { quick ? [3, 10, 100, 1_000] : [3, 10, 30, 100, 300, 1_000] }
    /// The largest n at which the O(n)-sweep methods (forward mode, differences, complex step) run.
    var loopLimit: Int { quick ? 1_000 : 10_000 }
    /// MLP batch sizes.
    var batches: [Int] { [1, 64, 256] }
}

/// Runs the benchmark.
public struct Benchmark {
    public var options: BenchOptions
    public var sampler: Sampler
    /// Receives one line per step, for a progress display.
    public var progress: (String) -> Void

    public init(options: BenchOptions, progress: @escaping (String) -> Void = { _ in }) {
        self.options = options
        sampler = Sampler(settings: options.only != nil ? .remeasure : options.quick ? .quick : .full)
        self.progress = progress
    }

    /// Runs every selected family and judges the targets.
    public func run(environment: BenchEnvironment, startedAt: String) -> BenchReport {
        let start = monotonicNanoseconds()
        var report = BenchReport(quick: options.quick, environment: environment, settings: sampler.settings, startedAt: startedAt)
        report.peers = Benchmark.swiftPeers
        if options.includes("sum-sin-exp") { report.families.append(sumSinExp()) }
        if options.includes("chain") { report.families.append(chain()) }
        if options.families?.contains("jacobian") ?? true, options.wantsAny("jacobian-") { report.families += jacobians() }
        if options.includes("textbook") { report.families.append(textbook()) }
        if options.includes("mlp") {
            report.network = NetworkBench(sampler: sampler, progress: progress).run(batches: options.batches) { threads, batch in
                options.wantsAny("mlp/threads-\(threads)/\(batch)/")
            }
        }
        if options.only == nil, options.includes("error-curve") { report.errorCurve = Benchmark.errorCurve() }
        if options.only == nil, let python = options.python {
            progress("python peers")
            let (infos, measurements) = python.run(sizes: options.sumSinExpSizes.filter { $0 <= 10_000 }, settings: sampler.settings)
            report.peers += infos
            for m in measurements {
                if let i = report.families.firstIndex(where: { $0.name == m.family }) { report.families[i].measurements.append(m) }
            }
        }
        if options.only == nil, options.includes("catalogue"), let command = options.catalogueCommand {
            progress("catalogue: \(command.joined(separator: " "))")
            report.catalogue = CatalogueRun.time(command, runs: options.quick ? 3 : 5, buildConfiguration: environment.buildConfiguration)
        }
        report.targets = TargetJudge.judge(report)
        report.peakResidentBytes = peakResidentBytes()
        report.duration = Double(monotonicNanoseconds() &- start) * 1e-9
        return report
    }

    /// The targets judged from a report's measurements (as a run does at its end).
    public static func judge(_ report: BenchReport) -> [TargetResult] { TargetJudge.judge(report) }

    // MARK: - Measuring

    /// Times `method` against `primal`.
    func measure(
        family: String, size: Int, label: String? = nil, method: MethodID,
        primal: () -> Double, _ body: () -> Double,
        evaluations: Int? = nil, agreement: Double? = nil, note: String? = nil
    ) -> MethodTiming {
        progress("\(family) \(label ?? "") \(size): \(method.displayName)")
        let t = sampler.pair(primal: primal, method: body)
        return MethodTiming(
            family: family, size: size, label: label, method: method, primalSeconds: t.primal.median,
            seconds: t.method, ratio: t.ratio, evaluations: evaluations, agreement: agreement, note: note)
    }

    /// The primal against itself: the primal's own time and how much two samples of the same
    /// call differ (the noise floor of every ratio in the run).
    func measurePrimal(family: String, size: Int, label: String? = nil, _ primal: () -> Double) -> MethodTiming {
        measure(family: family, size: size, label: label, method: .primal, primal: primal, primal, evaluations: 1)
    }

    /// adverify's methods and the numerical oracles on a scalar function's graph.
    func graphMethods(
        family: String, size: Int, label: String? = nil, harness h: GraphHarness, loops: Bool
    ) -> [MethodTiming] {
        var out: [MethodTiming] = []
        let primal = { h.primal() }
        func wanted(_ method: MethodID) -> Bool { options.wants(MethodTiming.key(family: family, label: label, size: size, method: method)) }
        if wanted(.primal) { out.append(measurePrimal(family: family, size: size, label: label, primal)) }
        let reference = h.run(h.reverse).gradient
        let scale = Swift.max(1, abs(h.primal()) / Swift.max(reference.map(abs).max() ?? 0, .leastNormalMagnitude))
        if wanted(.reverse) { out.append(measure(family: family, size: size, label: label, method: .reverse, primal: primal, h.reverse, evaluations: 1)) }
        // Second order: the product on every graph, the whole Hessian where n products are cheap.
        if wanted(.hvp) { out.append(measure(family: family, size: size, label: label, method: .hvp, primal: primal, h.hvp)) }
        if h.n <= Benchmark.largestHessian, wanted(.hessian) {
            out.append(measure(family: family, size: size, label: label, method: .hessian, primal: primal, h.hessian, evaluations: h.n))
        }
        guard loops else { return out }
        var methods: [(MethodID, () -> Double)] = [
            (.forwardVector, h.forwardVector), (.forwardScalar, h.forwardScalar),
            (.forwardDifference, h.forwardDifferences), (.centralDifference, h.centralDifferences),
            (.fivePoint, h.fivePointDifferences), (.gslCentral, h.gslCentral),
        ]
        if h.graph.isAnalytic { methods.append((.complexStep, h.complexStep)) }
        for (method, body) in methods where wanted(method) {
            let (gradient, evaluations) = h.run(body)
            let sweeps: Int? = switch method {
            case .forwardVector: h.forwardChunks
            case .forwardScalar: h.n
            default: evaluations
            }
            let difference = relativeDifference(gradient, reference)
            out.append(measure(
                family: family, size: size, label: label, method: method, primal: primal, body,
                evaluations: sweeps, agreement: difference,
                note: Benchmark.disagreement(method, difference, scale: scale)))
        }
        return out
    }

    /// The largest n whose full Hessian (n Hessian-vector products) the benchmark times.
    static let largestHessian = 100

    /// A note when a method's gradient is not the reverse gradient within what the method can do.
    /// A difference's round-off is relative to the function's value, not to the gradient's, so
    /// the allowance of the difference formulas grows with `scale = max(1, |f| / max |∇f|)`.
    static func disagreement(_ method: MethodID, _ difference: Double, scale: Double = 1) -> String? {
        let allowed: Double = switch method {
        case .forwardDifference: 1e-4 * scale
        case .centralDifference, .gslCentral: 1e-6 * scale
        case .fivePoint: 1e-8 * scale
        default: 1e-11
        }
        return difference <= allowed ? nil : String(format: "gradient differs from the reverse gradient by %.1e (relative), more than %.0e", difference, allowed)
    }

    static func graphSize(_ h: GraphHarness, size: Int, label: String? = nil) -> GraphSize {
        GraphSize(size: size, label: label, inputs: h.graph.inputCount, outputs: h.graph.outputCount, nodes: h.graph.nodeCount, tapeBytesPerNode: h.tapeBytesPerNode)
    }

    /// The peers of one function, each against adverify's primal and checked first: the native
    /// closure and Swift AD's value against adverify's value, the hand-written adjoint and Swift
    /// AD's gradient against adverify's reverse gradient.
    func peerMethods(
        family: String, size: Int, label: String? = nil, harness h: GraphHarness,
        native: () -> Double, hand: () -> Double, handGradient: () -> [Double],
        swiftValue: () -> Double, swiftGradient: () -> [Double]
    ) -> [MethodTiming] {
        let primal = { h.primal() }
        let value = h.primal()
        let reference = h.run(h.reverse).gradient
        var out: [MethodTiming] = []
        func timed(_ method: MethodID, _ body: () -> Double, difference: @autoclosure () -> Double) {
            guard options.wants(MethodTiming.key(family: family, label: label, size: size, method: method)) else { return }
            let d = difference()
            out.append(measure(
                family: family, size: size, label: label, method: method, primal: primal, body, evaluations: 1,
                agreement: d, note: Benchmark.disagreement(method, d)))
        }
        timed(.nativeClosure, native, difference: relativeDifference([native()], [value]))
        timed(.handAdjoint, hand, difference: relativeDifference(handGradient(), reference))
        timed(.swiftADValue, swiftValue, difference: relativeDifference([swiftValue()], [value]))
        timed(.swiftADGradient, { swiftGradient()[0] }, difference: relativeDifference(swiftGradient(), reference))
        return out
    }

    // MARK: - Families

    func sumSinExp() -> FamilyResult {
        var family = FamilyResult(
            name: "sum-sin-exp",
            description: "f(x) = Σ_{i=0}^{n-2} [sin(x_i) x_{i+1} + exp(x_i / n)] at x_i = 0.5 sin(i) + 0.1: the gradient's cost against n.",
            sizeName: "n")
        for n in options.sumSinExpSizes where options.wants(family: family.name, size: n) {
            guard let graph = try? Family.sumSinExp(n: n) else { continue }
            let point = Family.sumSinExpPoint(n: n)
            let h = GraphHarness(graph: graph, point: point)
            family.graphs.append(Benchmark.graphSize(h, size: n))
            family.measurements += graphMethods(family: family.name, size: n, harness: h, loops: n <= options.loopLimit)
            // The practical limits and Swift's own AD.
            var g = Array(repeating: 0.0, count: n)
            family.measurements += peerMethods(
                family: family.name, size: n, harness: h,
                native: { NativeSumSinExp.value(point) },
                hand: { NativeSumSinExp.valueAndGradient(point, into: &g) },
                handGradient: {
                    _ = NativeSumSinExp.valueAndGradient(point, into: &g)
                    return g
                },
                swiftValue: { DifferentiableSumSinExp.value(point) },
                swiftGradient: { DifferentiableSumSinExp.gradient(point) })
        }
        family.skipped.append(
            "forward mode, differences, GSL and the complex step run up to n = \(options.loopLimit): each needs n sweeps or more, O(n²) in all")
        return family
    }

    func chain() -> FamilyResult {
        var family = FamilyResult(
            name: "chain",
            description: "One input through d nested elementary functions (sin, asin, exp, log, sqrt, ^2 in turn) at x = 0.7: one forward sweep against one reverse sweep.",
            sizeName: "d")
        for d in options.chainDepths where options.wants(family: family.name, size: d) {
            guard let graph = try? Family.chain(depth: d) else { continue }
            let h = GraphHarness(graph: graph, point: Family.chainPoint)
            family.graphs.append(Benchmark.graphSize(h, size: d))
            family.measurements += graphMethods(family: family.name, size: d, harness: h, loops: true)
        }
        return family
    }

    func jacobians() -> [FamilyResult] {
        var byOutputs = FamilyResult(
            name: "jacobian-m",
            description: "R^100 -> R^m, y_j = sin(x_{j mod n}) x_{j+1 mod n} + exp(mean(x) / (j + 1)): the full Jacobian by forward mode (n = 100 directions) and by reverse mode (m sweeps) as m grows.",
            sizeName: "m")
        var byInputs = FamilyResult(
            name: "jacobian-n",
            description: "R^n -> R^100, the same function: the full Jacobian by forward and reverse mode as n grows.",
            sizeName: "n")
        for size in options.jacobianSizes {
            for (family, n, m) in [(0, 100, size), (1, size, 100)] where options.wants(family: family == 0 ? byOutputs.name : byInputs.name, size: size) {
                guard let graph = try? Family.jacobian(inputs: n, outputs: m) else { continue }
                let h = GraphHarness(graph: graph, point: Family.jacobianPoint(n: n))
                var result = family == 0 ? byOutputs : byInputs
                result.graphs.append(Benchmark.graphSize(h, size: size))
                let primal = { h.primal() }
                var check = Workspace(for: graph)
                let forward = (try? check.jacobianForward(at: h.point).entries) ?? []
                let reverse = (try? check.jacobianReverse(at: h.point).entries) ?? []
                let difference = relativeDifference(forward, reverse)
                func wanted(_ method: MethodID) -> Bool { options.wants(MethodTiming.key(family: result.name, label: nil, size: size, method: method)) }
                if wanted(.primal) { result.measurements.append(measurePrimal(family: result.name, size: size, primal)) }
                if wanted(.jacobianForward) {
                    result.measurements.append(measure(
                        family: result.name, size: size, method: .jacobianForward, primal: primal, h.jacobianForward,
                        evaluations: h.forwardChunks, agreement: difference, note: Benchmark.disagreement(.jacobianForward, difference)))
                }
                if wanted(.jacobianReverse) {
                    result.measurements.append(measure(
                        family: result.name, size: size, method: .jacobianReverse, primal: primal, h.jacobianReverse,
                        evaluations: m, agreement: difference, note: Benchmark.disagreement(.jacobianReverse, difference)))
                }
                if family == 0 { byOutputs = result } else { byInputs = result }
            }
        }
        return [byOutputs, byInputs]
    }

    /// The catalogue cases whose functions the textbook family times.
    public static let textbookCases = [
        "peharz-backward-pass", "domke-eq2-1-at-1p1", "domke-multiclass-logistic-loss",
        "ellis-smith-function-general-point", "textbook-ex9-5-general-point",
    ]

    func textbook() -> FamilyResult {
        var family = FamilyResult(
            name: "textbook",
            description: "The worked examples of the seeds, from cases/textbook: Peharz's f(x) = sqrt(x² + exp(x²)) + cos(x² + exp(x²)) at x = 2 and others, each at its case's point.",
            sizeName: "inputs")
        let catalog = Catalog.load(paths: [options.casesDirectory + "/textbook"])
        for id in Benchmark.textbookCases where options.wantsAny(family.name + "/" + id + "/") {
            guard let c = catalog.cases.first(where: { $0.id == id }) else {
                family.skipped.append("\(id): not found in \(options.casesDirectory)/textbook")
                continue
            }
            let h = GraphHarness(graph: c.graph, point: c.point)
            let n = c.graph.inputCount
            family.graphs.append(Benchmark.graphSize(h, size: n, label: id))
            family.measurements += graphMethods(family: family.name, size: n, label: id, harness: h, loops: true)
            if id == "peharz-backward-pass", let x = c.point.first {
                family.measurements += peerMethods(
                    family: family.name, size: n, label: id, harness: h,
                    native: { NativePeharz.value(x) },
                    hand: { NativePeharz.valueAndDerivative(x).derivative },
                    handGradient: { [NativePeharz.valueAndDerivative(x).derivative] },
                    swiftValue: { DifferentiablePeharz.value(x) },
                    swiftGradient: { [DifferentiablePeharz.derivative(x)] })
            }
        }
        return family
    }

    // MARK: - The finite-difference V

    /// Peharz's f'(2) by mpmath at 30 digits (`diff(f, 2)`), the reference of the error curve.
    static let peharzDerivativeAt2 = -182.869_807_305_982_78

    /// The absolute error of forward, central and 5-point differences and the complex step on
    /// Peharz's f at x = 2, over steps from 10^-16 to 10^-1 in quarter decades.
    static func errorCurve() -> ErrorCurve {
        func f(_ x: Double) -> Double { NativePeharz.value(x) }
        let steps = stride(from: -1.0, through: -16.0, by: -0.25).map { Foundation.pow(10, $0) }
        let sweep = stepSweep(of: f, at: 2, exact: peharzDerivativeAt2, steps: steps)
        var errors: [String: [Double?]] = ["forward": [], "central": [], "5-point": [], "complex step": []]
        var used: [Double] = []
        for point in sweep.points {
            used.append(point.step)
            errors["forward"]!.append(point.forwardError)
            errors["central"]!.append(point.centralError)
            errors["5-point"]!.append(point.fivePointError)
            let d = complexStepDerivative(of: peharzComplex, at: 2, step: point.step, estimateError: false)
            let e = abs(d.value - peharzDerivativeAt2)
            errors["complex step"]!.append(e.isFinite ? e : nil)
        }
        var best: [String: Double] = [:]
        for (name, values) in errors {
            if let i = values.indices.filter({ values[$0] != nil }).min(by: { values[$0]! < values[$1]! }) { best[name] = used[i] }
        }
        return ErrorCurve(
            function: "Peharz's f(x) = sqrt(x² + exp(x²)) + cos(x² + exp(x²))", x: 2, exact: peharzDerivativeAt2,
            referenceSource: "mpmath diff at 30 digits", steps: used, errors: errors, bestSteps: best,
            defaultSteps: [
                "forward": StepRule.oneSided(at: 2), "central": StepRule.central(at: 2),
                "5-point": StepRule.fivePoint(at: 2), "complex step": StepRule.complexStep(at: 2),
            ])
    }

    /// Peharz's f over the complex numbers, for the complex step's line of the curve.
    static func peharzComplex(_ x: Complex<Double>) -> Complex<Double> {
        let a = x * x
        let c = a + Complex.exp(a)
        return Complex.sqrt(c) + Complex.cos(c)
    }

    // MARK: - Peers

    /// The Swift peers and how they are written.
    static var swiftPeers: [PeerInfo] {
        [
            PeerInfo(name: "native Swift closure", available: true, version: nil, note: "the function as a plain loop over the array: the practical limit of a primal"),
            PeerInfo(name: "hand-written adjoint", available: true, version: nil, note: "one forward and one backward loop, no tape: the practical limit of a gradient"),
            PeerInfo(name: "Swift _Differentiation", available: true, version: nil, note: "sum-sin-exp: " + DifferentiableSumSinExp.style + ". Peharz: " + DifferentiablePeharz.style),
        ]
    }
}
