// What a failed expectation meets when the case's point sits exactly on a kink: there the
// derivative is a convention, not a fact, and the message says which convention AD followed,
// what the others give, and the one-sided derivatives every convention lies between.
import ADCatalog
import ADCore

extension CaseVerification {
    /// Rewrites the detail of each failed expectation of a derivative whose value depends on a
    /// node that sits exactly on its kink at the case's point.
    mutating func explainFailuresAtKinks() {
        guard !failedExpectations.isEmpty else { return }
        var explainer = KinkExplainer(
            graph: graph, point: c.point, tangentSeeds: c.tangentSeeds, workspace: workspace, ruleMutation: runner.ruleMutation)
        explainer.names = names
        explainer.explain(failedExpectations, in: &checks)
    }
}

/// Explains failed expectations at kinks for one graph at one point, from a workspace
/// linearized there under the convention in force.
struct KinkExplainer {
    let graph: Graph
    let point: [Double]
    let tangentSeeds: [[Double]]
    /// Every node's display name; worked out from the graph when not given (only when
    /// something is explained).
    var names: [String]?
    /// Linearized at `point`: its values, partials and convention.
    let workspace: Workspace
    let ruleMutation: RuleMutation?
    var kinks: KinkConvention { workspace.kinkConvention }

    init(graph: Graph, point: [Double], tangentSeeds: [[Double]], workspace: Workspace, ruleMutation: RuleMutation?) {
        self.graph = graph
        self.point = point
        self.tangentSeeds = tangentSeeds
        self.workspace = workspace
        self.ruleMutation = ruleMutation
    }

    /// Sets the detail of each failed expectation check (index into `checks` → its quantity)
    /// that a node on its kink makes a matter of convention.
    func explain(_ failed: [Int: Quantity], in checks: inout [Check]) {
        let values = workspace.values
        let atKink = (0..<graph.nodeCount).filter { i in
            let op = graph.ops[i]
            guard op.kink != nil else { return false }
            let r = graph.rhs[i]
            return op.switchingArgument(values[Int(graph.lhs[i])], r >= 0 ? values[Int(r)] : 0) == 0
        }
        guard !atKink.isEmpty else { return }
        for (index, quantity) in failed.sorted(by: { $0.key < $1.key }) {
            let comparison = checks[index].comparison
            if let text = kinkExplanation(quantity, computed: comparison.value, expected: comparison.reference,
                                          budget: comparison.budget, expectedText: checks[index].expectedText, atKink: atKink) {
                checks[index].detail = text
            }
        }
    }

    /// The sentence for one failed expectation at a kink, or `nil` when no convention and no
    /// side changes the quantity (the kink does not touch it).
    private func kinkExplanation(
        _ q: Quantity, computed: Double, expected: Double, budget: Double, expectedText: String?, atKink: [Int]
    ) -> String? {
        var byConvention: [(KinkConvention, Double)] = []
        for convention in KinkConvention.allCases {
            guard let v = value(of: q, under: convention) else { return nil }
            byConvention.append((convention, v))
        }
        let sides = oneSided(q)
        let conventionsDiffer = byConvention.contains { $0.1 != byConvention[0].1 }
        let sidesDiffer = sides.map { $0.left != $0.right } ?? false
        guard conventionsDiffer || sidesDiffer else { return nil }
        let names = self.names ?? graph.displayNames

        let kinkNames = atKink.prefix(3).map { node in
            "\(names[node]) = \(graph.formula(of: node, displayNames: names)) (at \(graph.ops[node].kink?.description ?? "its kink"))"
        }.joined(separator: ", ") + (atKink.count > 3 ? " and \(atKink.count - 3) more" : "")
        let others = byConvention.filter { $0.0 != kinks }.map { "\($0.0) gives \(format($0.1))" }.joined(separator: ", ")
        var text = "at a kink: \(kinkNames) \(atKink.count == 1 ? "sits" : "sit") exactly on \(atKink.count == 1 ? "its kink" : "their kinks"), "
            + "where the derivative is a convention; AD follows the convention in force, \(kinks), which gives \(format(computed)) here (\(others))"
        if let sides {
            text += "; the one-sided derivatives are \(format(sides.left)) (from the left) and \(format(sides.right)) (from the right)"
        }
        let written = expectedText ?? format(expected)
        let matching = byConvention.filter { $0.0 != kinks && abs($0.1 - expected) <= budget }.map(\.0)
        if let other = matching.first {
            text += ": the expected \(written) is what \(other) gives; add 'kinks: \(other)' to the case, or expect \(format(computed))"
        } else if let sides, expected < Swift.min(sides.left, sides.right) - budget || expected > Swift.max(sides.left, sides.right) + budget {
            text += ": the expected \(written) lies outside that interval, so it is wrong under every convention"
        } else {
            text += ": the expected \(written) is no convention's value"
        }
        return text
    }

    /// The quantity's AD value at the case's point under `convention`, or `nil` for quantities
    /// that do not depend on one (values).
    private func value(of q: Quantity, under convention: KinkConvention) -> Double? {
        var ws = Workspace(for: graph)
        ws.kinkConvention = convention
        ws.ruleMutation = ruleMutation
        ws.nodesKeepingTableKinks = workspace.nodesKeepingTableKinks
        let n = graph.inputCount, m = graph.outputCount
        do {
            try ws.linearize(at: point)
            switch q {
            case .partial(let k, let i):
                var seed = [Double](repeating: 0, count: n)
                seed[i] = 1
                try ws.forward(seeds: seed, width: 1)
                return ws.tangent(of: graph.outputNodes[k])
            case .adjoint(let node):
                var w = [Double](repeating: 0, count: m)
                w[0] = 1
                try ws.reverse(cotangent: w)
                return ws.adjoint(of: node)
            case .tangent(let s, let node):
                try ws.forward(seeds: tangentSeeds[s], width: 1)
                return ws.tangent(of: node)
            case .value, .nodeValue, .secondPartial, .hvp:
                return nil
            }
        } catch {
            return nil
        }
    }

    /// The one-sided derivatives of a partial or an expected tangent along its direction: the
    /// derivative from the right `R(d)` and from the left `-R(-d)`, where `R` sweeps tangents
    /// with each node on its kink taking the side its switching argument moves to.
    private func oneSided(_ q: Quantity) -> (left: Double, right: Double)? {
        let direction: [Double], target: Int
        switch q {
        case .partial(let k, let i):
            var d = [Double](repeating: 0, count: graph.inputCount)
            d[i] = 1
            direction = d
            target = graph.outputNodes[k]
        case .tangent(let s, let node):
            direction = tangentSeeds[s]
            target = node
        default:
            return nil
        }
        let right = rightDerivative(along: direction, target: target)
        let left = -rightDerivative(along: direction.map { -$0 }, target: target)
        return (left, right)
    }

    private func rightDerivative(along d: [Double], target: Int) -> Double {
        let v = workspace.values, p = workspace.partials
        var t = [Double](repeating: 0, count: graph.nodeCount)
        for i in 0..<graph.nodeCount {
            let op = graph.ops[i]
            switch op {
            case .input: t[i] = d[Int(graph.lhs[i])]
            case .constant: t[i] = 0
            default:
                let l = Int(graph.lhs[i]), r = Int(graph.rhs[i])
                let a = v[l], b = r >= 0 ? v[r] : 0
                var (pa, pb) = (p[2 * i], p[2 * i + 1])
                if op.kink != nil, op.switchingArgument(a, b) == 0 {
                    let moving = t[l] - (op.kink == .whereOperandsAreEqual ? t[r] : 0)
                    if moving != 0 {
                        let sides = op.oneSidedPartials(a, b)
                        (pa, pb) = moving > 0 ? sides.right : sides.left
                    }
                }
                t[i] = scaled(pa, by: t[l]) + (r >= 0 ? scaled(pb, by: t[r]) : 0)
            }
        }
        return t[target]
    }
}
