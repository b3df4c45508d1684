import ADCatalog
import ADCore
import ADNetwork
import Foundation
import Testing

/// Peharz's backprop example as a network case: 2 inputs, 2 sigmoid units, a linear output,
/// squared error.
let peharzNetworkYAML = """
    kind: network
    id: peharz-net
    title: Backprop example
    network:
      input: [2]
      layers:
        - dense: {units: 2, name: a}
        - sigmoid: {name: h}
        - dense: {units: 1, name: yhat}
      loss: squared_error
    parameters:
      W1: [[0.8, -0.45], [-0.3, 1.1]]
      b1: [0.15, -0.25]
      W2: [[1.3, -0.7]]
      b2: [0.05]
    data:
      x: [[1.2, -0.6]]
      y: [[0.4]]
    expect:
      adjoints: {yhat_1_1: 0.53520822386, h: [[0.69577069102, -0.3746457567]]}
      gradient: {b2: ["b2_1 - y_1_1 + W2_1_1/(1 + exp(-(b1_1 + W1_1_1*x_1_1 + W1_1_2*x_1_2))) + W2_1_2/(1 + exp(-(b1_2 + W1_2_1*x_1_1 + W1_2_2*x_1_2)))"]}
    """

@Suite("Network case files")
struct NetworkCaseTests {
    @Test("a network case lowers to a graph over its parameters whose loss and gradient match the closed forms")
    func lowersToGraph() throws {
        let (cases, errors) = CaseLoader.load(text: peharzNetworkYAML, path: "net.yaml")
        #expect(errors.isEmpty, "\(errors)")
        let c = try #require(cases.first)
        let network = try #require(c.network)
        let model = try #require(network.model)
        #expect(model.parameterCount == 9)
        #expect(c.inputNames == ["W1_1_1", "W1_1_2", "W1_2_1", "W1_2_2", "b1_1", "b1_2", "W2_1_1", "W2_1_2", "b2_1"])
        #expect(c.point == [0.8, -0.45, -0.3, 1.1, 0.15, -0.25, 1.3, -0.7, 0.05])
        #expect(c.expectations.count == 4)
        // The loss and dL/db2 = yhat - y written out by hand.
        func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
        let h1 = sigmoid(0.15 + 0.8 * 1.2 - 0.45 * -0.6), h2 = sigmoid(-0.25 - 0.3 * 1.2 + 1.1 * -0.6)
        let yhat = 0.05 + 1.3 * h1 - 0.7 * h2
        var ws = Workspace(for: c.graph)
        let g = try ws.gradient(at: c.point)
        #expect(abs(ws.outputValue(0) - 0.5 * (yhat - 0.4) * (yhat - 0.4)) < 1e-15)
        #expect(abs(g[8] - (yhat - 0.4)) < 1e-15)
        #expect(abs(g[6] - (yhat - 0.4) * h1) < 1e-15)
        let expected = try #require(c.expectations.first { $0.quantity == .partial(output: 0, input: 8) })
        #expect(abs(expected.expected.value - (yhat - 0.4)) < 1e-15)
        #expect(c.graph.node(named: "h_1_2") != nil && c.graph.node(named: "yhat_1_1") != nil)
    }

    @Test("a convolution, a max pool and the multiclass logistic loss lower to the slide's numbers")
    func convolution() throws {
        let text = """
            kind: network
            id: conv
            title: conv
            network:
              input: [1, 5, 5]
              layers:
                - conv2d: {filters: 1, kernel: 3, bias: false, name: c}
                - maxpool: {size: 3, name: m}
            parameters:
              W1: [[[[1, 0, 1], [0, 1, 0], [1, 0, 1]]]]
            data:
              x: [[[[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]]]
            """
        let (cases, errors) = CaseLoader.load(text: text, path: "conv.yaml")
        #expect(errors.isEmpty, "\(errors)")
        let c = try #require(cases.first)
        var ws = Workspace(for: c.graph)
        try ws.evaluate(at: c.point)
        let values = try #require(c.network?.evaluation?.layerNodes.first).map { ws.value(of: $0) }
        #expect(values == [4, 3, 4, 2, 4, 3, 2, 3, 4])
        #expect(ws.outputValue(0) == 4)  // one output number: L is the max of the feature map
    }

    @Test("an expected geometry error loads without a model; an unexpected one is an input error at the layer")
    func geometryErrors() throws {
        let layers = """
            kind: network
            id: stride3
            title: t
            network:
              input: [1, 7, 7]
              layers:
                - conv2d: {filters: 1, kernel: 3, stride: 3}
            """
        let (cases, errors) = CaseLoader.load(text: layers + "\nexpect: {error: not a whole number}\n", path: "g.yaml")
        #expect(errors.isEmpty)
        let network = try #require(cases.first?.network)
        #expect(network.model == nil)
        #expect(network.buildError?.contains("(7 - 3 + 2*0)/3 + 1") == true)
        let error = try loadError(layers)
        #expect(error.location.line == 7 && error.location.column == 7)
        #expect(error.message.contains("is not a whole number along the height"))
    }

    static let base = """
        kind: network
        id: n
        title: t
        network:
          input: [3]
          layers:
            - dense: {units: 2}
            - tanh
          loss: squared_error
        parameters: {seed: 1}
        data: {seed: 2, batch: 2}
        """

    /// `base` with one edit.
    static func edit(_ from: String, _ to: String, _ text: String = base) -> String { text.replacingOccurrences(of: from, with: to) }

    struct Bad: Sendable, CustomTestStringConvertible {
        var text: String, line: Int, column: Int, message: String
        init(_ text: String, _ line: Int, _ column: Int, _ message: String) {
            self.text = text
            self.line = line
            self.column = column
            self.message = message
        }
        var testDescription: String { message }
    }

    static let bad: [Bad] = [
        Bad(edit("- tanh", "- tahn"), 8, 7, "unknown layer 'tahn'; did you mean 'tanh'?"),
        Bad(edit("{units: 2}", "{units: 2, bais: false}"), 7, 25, "unknown option 'bais' for dense"),
        Bad(edit("input: [3]", "input: [1, 4, 4]"), 7, 7, "add a flatten layer"),
        Bad(edit("squared_error", "squared"), 9, 9, "unknown loss 'squared'"),
        Bad(edit("{seed: 1}", "{W1: [[1, 2, 3]]}"), 10, 18, "has 1 entry at level 1, expected 2"),
        Bad(edit("{seed: 1}", "{W9: [1]}"), 10, 14, "'W9', which is not a parameter tensor"),
        Bad(edit("{seed: 1}", "{W1: [[1, 2, 3], [4, 5, 6]]}"), 10, 13, "parameters b1 (2) not given"),
        Bad(edit("{seed: 2, batch: 2}", "{x: [[1, 2]], y: [[1, 2]]}"), 11, 12, "has 2 entries at level 2, expected 3"),
        Bad(edit("{seed: 2, batch: 2}", "{x: [[1, 2, 3]], labels: [1]}"), 11, 24, "takes target values y, not labels"),
        Bad(edit("- tanh", "- tanh: {name: x}"), 8, 20, "layer name 'x' is taken"),
        Bad(edit("- tanh", "- tanh: {name: W1}"), 8, 20, "is the name of a parameter tensor"),
        Bad(base + "\nchecks: {sample: 0}", 12, 18, "checks.sample must be between 1 and 10000"),
        Bad(base + "\nexpect: {gradient: {W1_3_1: 1}}", 12, 21, "'W1_3_1', which is neither a parameter tensor"),
        Bad(base + "\nexpect: {values: {tanh9: [[1]]}}", 12, 19, "'tanh9', which is neither a layer"),
        Bad(edit("data: {seed: 2, batch: 2}", "") + "expect: {value: 1}", 11, 10, "expect.value needs 'data'"),
        Bad(edit("input: [3]", "input: [3000]", edit("{seed: 2, batch: 2}", "{seed: 2, batch: 100000}")), 11, 7, "more than the 4000000 adverify builds"),
        Bad(edit("kind: network", "kind: netwrk"), 1, 7, "unknown kind 'netwrk'"),
        Bad(base + "\ninputs: {x: 1}", 12, 1, "unknown key 'inputs'"),
        ]

    @Test("bad network documents give located errors", arguments: bad)
    func badDocuments(_ bad: Bad) throws {
        let error = try loadError(bad.text)
        #expect(error.message.contains(bad.message), "\(error)")
        #expect(error.location.line == bad.line && error.location.column == bad.column, "\(error.location.line):\(error.location.column) \(error)")
    }

    @Test("multiclass labels are checked against the classes")
    func labels() throws {
        let text = Self.base.replacingOccurrences(of: "squared_error", with: "multiclass_logistic")
            .replacingOccurrences(of: "{seed: 2, batch: 2}", with: "{x: [[1, 2, 3]], labels: [2]}")
        let error = try loadError(text)
        #expect(error.message.contains("label 2 is not a class of the network's 2 outputs (0 to 1)"), "\(error)")
    }
}
