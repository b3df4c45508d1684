// Random expression graphs for the property tests, built from a "recipe" of small integers so
// that PropertyBased's shrinking (fewer steps, smaller numbers) leads to a small failing graph.
// Shared test support: ADVerifyTests' properties and ADCheckTests' random-graph checks draw
// from the same family.
import ADCore
import Foundation
import PropertyBased
import Testing

/// One step of a recipe: which primitive to apply to which earlier nodes. Every field is a
/// small non-negative integer that shrinks toward 0, and 0 is always the simplest choice.
public struct RecipeStep: Hashable, Sendable {
    /// Index into the recipe's primitive list (taken modulo its length); 0 is `+`.
    public var op: Int
    /// First operand: 0 is the newest node, `k` the k-th newest (modulo the nodes so far).
    public var a: Int
    /// Second operand of a binary primitive, counted like `a`.
    public var b: Int
    /// `0..<firstConstantCode`: the second operand is the node `b`; from `firstConstantCode` on,
    /// it is the constant `GraphRecipe.constants[constant - firstConstantCode]`. The slope of
    /// `leaky_relu` and `elu` is always a constant (`constants[constant % count]`, made positive).
    public var constant: Int

    public static let firstConstantCode = 24
    public static let constantCodes = 0...(firstConstantCode + GraphRecipe.constants.count - 1)
    public static let aPicks = 0...7
    public static let bPicks = 0...63

    public init(op: Int, a: Int, b: Int, constant: Int) {
        self.op = op
        self.a = a
        self.b = b
        self.constant = constant
    }
}

/// A random graph's recipe: input values, steps and the number of outputs, all as small
/// integers, plus the seed it was drawn from (which also seeds the property's tangent and
/// cotangent vectors, so they stay fixed while the recipe shrinks).
///
/// ``build()`` turns it into a graph deterministically. A step whose primitive would leave its
/// domain at the recipe's point (log or sqrt of less than 0.1, asin/acos beyond ±0.9, a divisor
/// smaller than 0.2, exp/sinh/cosh beyond ±6, sin/cos beyond ±50, tan where |cos| < 0.3, a power
/// with |base| < 0.2 (base < 0.2 unless the exponent is a constant integer) or |exponent| > 4,
/// a piecewise primitive within `kinkMargin` of its kink), give a value beyond 1e4 (or a
/// nonzero value below 1e-3) or a node whose slope bound exceeds `maxSlope` is skipped. Each output is one of the newest nodes plus a weighted
/// sum of every input, so every output depends on every input.
public struct GraphRecipe: Hashable, Sendable {
    public var seed: UInt64
    /// One code per input: `x = ±(0.3 + |code| / 16)`, the sign of the code (never ±1).
    public var inputs: [Int]
    public var steps: [RecipeStep]
    public var outputs: Int
    /// Only complex-analytic primitives (the complex step applies to the whole graph).
    public var analytic: Bool

    public init(seed: UInt64, inputs: [Int], steps: [RecipeStep], outputs: Int, analytic: Bool) {
        self.seed = seed
        self.inputs = inputs
        self.steps = steps
        self.outputs = outputs
        self.analytic = analytic
    }

    /// Smooth primitives first (simplest first, so shrinking turns other ops into `+`), then
    /// the piecewise ones. An analytic recipe draws from the first 20 only.
    public static let smoothOps: [Op] = [.add, .sub, .mul, .neg, .div, .exp, .log, .sqrt, .sin, .cos, .tan, .pow,
                                  .asin, .acos, .atan, .sinh, .cosh, .tanh, .sigmoid, .softplus]
    public static let piecewiseOps: [Op] = [.relu, .abs, .max, .min, .leakyRelu, .elu]
    public static let constants: [Double] = [2, -1, 0.5, 3, -2, 1.5, -0.5, 0.25, 4, -3, 0.75, 2.5, -1.5, 1.25, -0.25, 3.5]
    /// Output `k` adds `weights[(3k + j) % count] * x_j` for every input `j`.
    public static let weights: [Double] = [0.75, -1.25, 0.5, 1.5, -0.625, 2.25, -0.875]
    /// Distance kept from a kink of relu, abs, max, min, leaky_relu, elu, in the switching
    /// argument (x for relu, x - y for max).
    public static let kinkMargin = 0.05
    /// The largest slope bound (`Σ_paths Π |local partial|` from the inputs) a node may have.
    /// Without it a few hundred nodes make `tan` of an argument that moves by 1e6 per unit of x:
    /// features 1e-6 wide, narrower than every finite-difference oracle's step, which then sees
    /// only the smooth background (see the report of issue 7).
    public static let maxSlope = 1e4

    public var ops: [Op] { analytic ? Self.smoothOps : Self.smoothOps + Self.piecewiseOps }

    public static func inputValue(_ code: Int) -> Double {
        let magnitude = 0.3 + Double(Swift.abs(code)) / 16
        return code < 0 ? -magnitude : magnitude
    }

    public static let inputCodes = -43...43

    /// A recipe drawn from `seed`: 1-6 inputs, 1-3 outputs, 1-300 steps (`1 + 299 u²`: median 75,
    /// 42% above 100), half of the binary steps with a constant operand.
    public static func random(seed: UInt64, analytic: Bool, maxSteps: Int = 300) -> GraphRecipe {
        var rng = seededGenerator(seed)
        let n = Int.random(in: 1...6, using: &rng)
        let m = Int.random(in: 1...3, using: &rng)
        let u = Double.random(in: 0..<1, using: &rng)
        let count = 1 + Int(Double(maxSteps - 1) * u * u)
        let inputs = (0..<n).map { _ in Int.random(in: inputCodes, using: &rng) }
        let steps = (0..<count).map { _ in
            RecipeStep(
                op: Int.random(in: 0..<(analytic ? smoothOps.count : smoothOps.count + piecewiseOps.count), using: &rng),
                a: Int.random(in: RecipeStep.aPicks, using: &rng),
                b: Int.random(in: RecipeStep.bPicks, using: &rng),
                constant: Bool.random(using: &rng)
                    ? Int.random(in: 0..<RecipeStep.firstConstantCode, using: &rng)
                    : Int.random(in: RecipeStep.firstConstantCode...RecipeStep.constantCodes.upperBound, using: &rng))
        }
        return GraphRecipe(seed: seed, inputs: inputs, steps: steps, outputs: m, analytic: analytic)
    }

    // MARK: Shrinking

    /// Simpler recipes, most shrunk first: fewer outputs, fewer inputs, fewer steps, simpler
    /// steps (each field toward 0), input values toward ±0.3. Built from PropertyBased's
    /// shrinking sequences, so `propertyCheck` walks them with its own loop.
    public static func shrink(_ r: GraphRecipe) -> AnySequence<GraphRecipe> {
        // First the same graph without its dead steps (one candidate), so a shrunk graph has no
        // node that does not reach an output.
        let live = r.withoutDeadSteps().map { [$0] } ?? []
        let outputs = r.outputs.shrink(towards: 1).lazy.map { k in with(r) { $0.outputs = k } }
        let inputs = Shrink.omitSingleElement(from: r.inputs, lowerBound: 1).lazy.map { v in with(r) { $0.inputs = v } }
        let steps = Shrink.shrinkArray(r.steps, shrinker: shrinkStep, lowerBound: 0).lazy.map { s in with(r) { $0.steps = s } }
        let codes = Shrink.ElementWise(r.inputs) { $0.shrink(towards: 0) }.lazy.map { v in with(r) { $0.inputs = v } }
        return AnySequence(live.append(outputs).append(inputs).append(steps).append(codes))
    }

    /// The recipe without the steps whose node no output depends on (or that made no node: out
    /// of the domain), the remaining operands re-pointed at the same nodes: it builds the same
    /// function with fewer nodes. `nil` when every step is live.
    public func withoutDeadSteps() -> GraphRecipe? {
        let trace = build().steps
        var live = Set(trace.outputs)
        for step in trace.made.reversed() where live.contains(step.node) {
            live.formUnion(step.operands)
        }
        let kept = trace.made.filter { live.contains($0.node) }
        guard kept.count < steps.count else { return nil }
        // Pickable nodes of the new recipe: the inputs, then the kept nodes in order.
        var pickable = Array(0..<Swift.max(inputs.count, 1))
        var newSteps: [RecipeStep] = []
        for step in kept {
            var s = steps[step.index]
            func pickOf(_ node: Int) -> Int { pickable.count - 1 - pickable.firstIndex(of: node)! }
            s.a = pickOf(step.operands[0])
            s.b = step.operands.count > 1 ? pickOf(step.operands[1]) : 0
            newSteps.append(s)
            pickable.append(step.node)
        }
        return GraphRecipe(seed: seed, inputs: inputs, steps: newSteps, outputs: outputs, analytic: analytic)
    }

    public static func shrinkStep(_ s: RecipeStep) -> AnySequence<RecipeStep> {
        let op = s.op.shrink(towards: 0).lazy.map { v in with(s) { $0.op = v } }
        let a = s.a.shrink(towards: 0).lazy.map { v in with(s) { $0.a = v } }
        let b = s.b.shrink(towards: 0).lazy.map { v in with(s) { $0.b = v } }
        let c = s.constant.shrink(towards: 0).lazy.map { v in with(s) { $0.constant = v } }
        return AnySequence(op.append(a).append(b).append(c))
    }

    private static func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
        var copy = value
        change(&copy)
        return copy
    }

    // MARK: Building

    /// The graph and its point. Never fails for a recipe made by ``random(seed:analytic:maxSteps:)``
    /// or shrunk from one (an empty `inputs` is given one input).
    public func build() -> RandomGraph {
        var b = GraphBuilder()
        var values: [Double] = []
        /// Per node, `Σ_paths Π |local partial|` from all inputs: a bound on how fast it changes.
        var slopes: [Double] = []
        /// Inputs and computed nodes (operands are picked among these, never a bare constant).
        var pickable: [Int] = []
        let codes = inputs.isEmpty ? [0] : inputs
        let point = codes.map(Self.inputValue)
        for (j, x) in point.enumerated() {
            pickable.append(try! b.input("x\(j)"))
            values.append(x)
            slopes.append(1)
        }
        let ops = self.ops
        func pick(_ k: Int) -> Int { pickable[pickable.count - 1 - k % pickable.count] }
        var made: [BuildTrace.Step] = []
        for (index, step) in steps.enumerated() {
            let op = ops[step.op % ops.count]
            let ai = pick(step.a)
            let a = values[ai]
            var bi: Int?
            var constant: Double?
            if op == .leakyRelu || op == .elu {
                constant = Swift.abs(Self.constants[step.constant % Self.constants.count])
            } else if op.arity == 2 {
                if step.constant >= RecipeStep.firstConstantCode {
                    constant = Self.constants[(step.constant - RecipeStep.firstConstantCode) % Self.constants.count]
                } else {
                    bi = pick(step.b)
                }
            }
            let bValue = constant ?? bi.map { values[$0] } ?? 0
            guard Self.inDomain(op, a, bValue, constantExponent: constant != nil) else { continue }
            let v = op.value(a, bValue)
            guard v.isFinite, Swift.abs(v) < 1e4, Swift.abs(v) > 1e-3 || v == 0 else { continue }
            let (pa, pb) = op.partials(a, bValue, value: v)
            let slope = Swift.abs(pa) * slopes[ai] + (bi.map { Swift.abs(pb) * slopes[$0] } ?? 0)
            guard slope <= Self.maxSlope else { continue }
            if let constant {
                bi = try! b.constant(constant)
                values.append(constant)
                slopes.append(0)
            }
            let node = try! b.apply(op, ai, op.arity == 2 ? bi : nil)
            values.append(v)
            slopes.append(slope)
            pickable.append(node)
            // Operands among the pickable nodes (a constant operand is part of the step).
            made.append(BuildTrace.Step(index: index, node: node, operands: constant == nil && op.arity == 2 ? [ai, bi!] : [ai]))
        }
        let outputNodes = (0..<Swift.max(outputs, 1)).map { pick($0) }
        for k in 0..<Swift.max(outputs, 1) {
            var node = outputNodes[k]
            for j in 0..<point.count {
                let w = try! b.constant(Self.weights[(3 * k + j) % Self.weights.count])
                node = try! b.apply(.add, node, try! b.apply(.mul, w, j))
            }
            try! b.output(node)
        }
        return RandomGraph(recipe: self, graph: try! b.build(), point: point,
                           steps: BuildTrace(made: made, outputs: outputNodes))
    }

    /// What `build()` made of each step, for removing dead steps.
    public struct BuildTrace: Sendable {
        public struct Step: Sendable {
            /// The step's position in the recipe.
            public var index: Int
            /// The node it made (a builder index).
            public var node: Int
            /// Its operand nodes among the inputs and earlier steps' nodes.
            public var operands: [Int]
        }
        public var made: [Step]
        /// The node each output starts from, before the weighted inputs are added.
        public var outputs: [Int]
    }

    /// Whether `op` at `(a, b)` stays well inside its domain, away from poles and kinks.
    public static func inDomain(_ op: Op, _ a: Double, _ b: Double, constantExponent: Bool) -> Bool {
        switch op {
        case .log, .sqrt: a > 0.1
        case .asin, .acos: Swift.abs(a) < 0.9
        case .div: Swift.abs(b) > 0.2
        case .pow:
            // A constant integer exponent is defined for negative bases too.
            constantExponent && b == b.rounded()
                ? Swift.abs(a) > 0.2 && Swift.abs(b) <= 4
                : a > 0.2 && Swift.abs(b) < 4
        case .exp, .sinh, .cosh: Swift.abs(a) < 6
        case .tan: Swift.abs(cos(a)) > 0.3
        case .sin, .cos: Swift.abs(a) < 50
        default:
            if let s = op.switchingArgument(a, b) { Swift.abs(s) > kinkMargin } else { true }
        }
    }

    /// The recipe as Swift source, to paste into a regression test.
    public var swiftLiteral: String {
        let s = steps.map { "RecipeStep(op: \($0.op), a: \($0.a), b: \($0.b), constant: \($0.constant))" }
        return """
            GraphRecipe(seed: 0x\(String(seed, radix: 16)), inputs: \(inputs), steps: [
                \(s.joined(separator: ",\n    "))
            ], outputs: \(outputs), analytic: \(analytic))
            """
    }
}

/// A built random graph: the recipe, the graph and the point (one value per input).
public struct RandomGraph: Sendable, CustomTestStringConvertible {
    public var recipe: GraphRecipe
    public var graph: Graph
    public var point: [Double]
    public var steps: GraphRecipe.BuildTrace

    /// Random non-unit vectors for the property checks, fixed by the recipe's seed (they do not
    /// change while the recipe shrinks): `count` numbers of magnitude 0.3-3 with random signs.
    public func vector(_ count: Int, stream: UInt64) -> [Double] {
        var rng = seededGenerator(recipe.seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        return (0..<count).map { _ in rng.nonUnit() }
    }

    /// The graph as a case file for `adverify run`: the inputs at the point, one `let` per
    /// computed node (constants written inline), the outputs.
    public var caseYAML: String {
        let names = graph.displayNames
        func operand(_ index: Int32) -> String {
            let i = Int(index)
            guard graph.ops[i] == .constant else { return names[i] }
            let v = graph.payload[i]
            return v < 0 ? "(\(Graph.format(v)))" : Graph.format(v)
        }
        var lines = [
            "id: property-\(String(recipe.seed, radix: 16))",
            "title: Random graph of seed 0x\(String(recipe.seed, radix: 16))",
            "inputs: {" + zip(graph.inputNames, point).map { "\($0): \($1)" }.joined(separator: ", ") + "}",
            "let:",
        ]
        for i in 0..<graph.nodeCount where !graph.ops[i].isLeaf {
            let op = graph.ops[i]
            let a = operand(graph.lhs[i]), b = graph.rhs[i] >= 0 ? operand(graph.rhs[i]) : ""
            let formula: String = switch op {
            case .add, .sub, .mul, .div: "\(a) \(op.name) \(b)"
            case .pow, .powConst: "\(a) ^ \(b)"
            case .neg: "-\(a)"
            default: op.arity == 2 ? "\(op.name)(\(a), \(b))" : "\(op.name)(\(a))"
            }
            lines.append("  \(names[i]): \(formula)")
        }
        if graph.outputCount == 1 {
            lines.append("output: \(names[graph.outputNodes[0]])")
        } else {
            lines.append("outputs:")
            for (k, node) in graph.outputNodes.enumerated() { lines.append("  y\(k): \(names[node])") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The Wengert list with every node's value at the point (the graph's own trace printer).
    public var wengertList: String {
        guard let trace = try? graph.trace(at: point) else { return "(no trace)" }
        return trace.rows.map { "  \($0.expression)    = \($0.value)" }.joined(separator: "\n")
    }

    /// What a failing property prints: the seed to replay, the sizes, and for a small graph the
    /// Wengert list, a case file and the recipe.
    public var testDescription: String {
        let head = "graph of seed 0x\(String(recipe.seed, radix: 16)) (replay: ADVERIFY_PROPERTY_REPLAY=0x\(String(recipe.seed, radix: 16))): \(graph.inputCount) inputs, \(graph.outputCount) outputs, \(graph.nodeCount) nodes, \(recipe.steps.count) steps"
        guard graph.nodeCount <= 80 else { return head }
        return """
            \(head)
            at \(zip(graph.inputNames, point).map { "\($0) = \($1)" }.joined(separator: ", "))
            \(wengertList)
            outputs: \(graph.outputNodes.map { graph.displayNames[$0] }.joined(separator: ", "))
            as a case file (adverify run):
            \(caseYAML)
            recipe: \(recipe.swiftLiteral)
            """
    }
}

/// The recipes a property checks: a deterministic stream of seeds (so every run of the suite
/// checks the same graphs), from `ADVERIFY_PROPERTY_SEED` (default below), or only the seed of
/// `ADVERIFY_PROPERTY_REPLAY`. Graph `i` has seed `splitmix(base + i)`.
public final class RecipeStream: @unchecked Sendable {
    private let lock = NSLock()
    private var index: UInt64 = 0
    private let base: UInt64
    private let replay: UInt64?

    public static let defaultBase: UInt64 = 0x5EED_AD0F_2026

    public init(property: UInt64) {
        let env = ProcessInfo.processInfo.environment
        // Mixed, so that the streams of nearby seeds (and of the properties) do not overlap.
        base = Self.mix((env["ADVERIFY_PROPERTY_SEED"].flatMap(RecipeStream.parse) ?? Self.defaultBase) ^ (property &* 0x9E37_79B9_7F4A_7C15))
        replay = env["ADVERIFY_PROPERTY_REPLAY"].flatMap(RecipeStream.parse)
    }

    /// How many graphs a property checks: `ADVERIFY_PROPERTY_GRAPHS`, else `defaultCount`;
    /// 1 when replaying a seed.
    public static func count(default defaultCount: Int) -> Int {
        let env = ProcessInfo.processInfo.environment
        if env["ADVERIFY_PROPERTY_REPLAY"] != nil { return 1 }
        return env["ADVERIFY_PROPERTY_GRAPHS"].flatMap { Int($0) } ?? defaultCount
    }

    /// Whether a long run was asked for (then the properties print their statistics).
    public static var isLongRun: Bool { ProcessInfo.processInfo.environment["ADVERIFY_PROPERTY_GRAPHS"] != nil }

    public static func parse(_ text: String) -> UInt64? {
        text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }

    public func nextSeed() -> UInt64 {
        if let replay { return replay }
        let i = lock.withLock {
            defer { index += 1 }
            return index
        }
        return Self.mix(base &+ i)
    }

    /// SplitMix64's finalizer: consecutive indices give unrelated seeds.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A PropertyBased generator of built random graphs whose shrinker shrinks the recipe.
    public func graphs(analytic: @escaping @Sendable (UInt64) -> Bool) -> Generator<RandomGraph, AnySequence<GraphRecipe>> {
        Generator(
            run: { _ in
                let seed = self.nextSeed()
                return GraphRecipe.random(seed: seed, analytic: analytic(seed))
            },
            shrink: { GraphRecipe.shrink($0) }
        ).map { $0.build() }
    }
}
