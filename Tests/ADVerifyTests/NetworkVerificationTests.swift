import ADCatalog
import ADCore
import ADVerify
import Foundation
import Testing

/// A 3-4 tanh-2 network with biases, squared error, a batch of 3, everything from seeds.
let smallNetwork = """
    kind: network
    id: small-net
    title: a small net
    network:
      input: [3]
      layers:
        - dense: {units: 4, name: a}
        - tanh: {name: h}
        - dense: {units: 2, name: out}
      loss: squared_error
    parameters: {seed: 5}
    data: {seed: 6, batch: 3}
    expect:
      parameters: 26
    """

@Suite("Network verification")
struct NetworkVerificationTests {
    @Test("a correct network passes: the core matches the graph tensor by tensor and every parameter is checked by the oracles")
    func passes() throws {
        let result = Runner().verify(try loadCase(smallNetwork))
        #expect(result.verdict == .pass, "\(result.failures.map(\.message)) \(result.error ?? "")")
        let network = try #require(result.network)
        #expect(network.everyParameterChecked && network.coordinatesChecked == 26)
        #expect(network.fullLoopForward == 27 && network.fullLoopCentral == 52)
        // 3 layers' values and adjoints, 4 parameter tensors.
        #expect(network.agreement.count == 10)
        #expect(network.agreement.allSatisfy { $0.verdict == .pass && $0.worstRelativeError < 1e-13 })
        #expect(result.rows.count { $0.kind == .partial } == 26)
        #expect(result.rows.count { $0.kind == .direction } == 3)
        #expect(result.checks.contains { $0.kind == .dotProduct && $0.comparison.verdict == .pass })
        #expect(result.checks.contains { $0.kind == .architecture && $0.comparison.verdict == .pass })
    }

    @Test("when the network core computes something else than the graph, the per-tensor checks fail")
    func detectsDisagreement() throws {
        var c = try loadCase(smallNetwork)
        // The core sees the data nudged by 1e-6; the graph keeps the original data.
        var evaluation = try #require(c.network?.evaluation)
        evaluation.inputs = evaluation.inputs.map { $0 + 1e-6 }
        c.network?.evaluation = evaluation
        let result = Runner().verify(c)
        #expect(result.verdict == .fail)
        let failed = Set(result.failures.filter { $0.kind == .network }.map(\.quantity))
        #expect(failed.contains("L") && failed.contains("∂L/∂W1") && failed.contains("a (values)"), "\(failed)")
    }

    @Test("a wrong expected gradient entry and a wrong parameter count fail at their lines")
    func wrongExpectations() throws {
        let text = smallNetwork.replacingOccurrences(of: "parameters: 26", with: "parameters: 27\n  gradient: {b2_1: 0.5}")
        let result = Runner().verify(try loadCase(text))
        #expect(result.verdict == .fail)
        let messages = result.failures.map(\.message)
        #expect(messages.contains { $0.hasPrefix("parameters: expected 27, found 26") }, "\(messages)")
        #expect(result.failures.contains { $0.kind == .expectation && $0.quantity == "∂L/∂b2_1" && $0.location?.line == 15 }, "\(result.failures.map { "\($0.quantity) \($0.location.map { "\($0.line)" } ?? "")" })")
    }

    @Test("an expected geometry error passes when building fails with that text, and fails when it does not")
    func geometryError() throws {
        let stride3 = """
            kind: network
            id: s3
            title: stride 3
            network:
              input: [1, 7, 7]
              layers: [{conv2d: {filters: 1, kernel: 3, stride: 3}}]
            expect: {error: "is not a whole number"}
            """
        #expect(Runner().verify(try loadCase(stride3)).verdict == .pass)
        let stride2 = stride3.replacingOccurrences(of: "stride: 3", with: "stride: 2")
        let result = Runner().verify(try loadCase(stride2))
        #expect(result.verdict == .fail)
        #expect(result.failures.first?.message.contains("the network was built: output 1x3x3") == true)
    }

    @Test("Domke's 784-72-10 net: a sampled check spread over both tensors, the full loop's cost stated")
    func sampled() throws {
        let text = """
            kind: network
            id: domke
            title: Domke
            network:
              input: [784]
              layers: [{dense: {units: 72, bias: false}}, tanh, {dense: {units: 10, bias: false}}]
              loss: multiclass_logistic
            parameters: {seed: 1}
            data: {seed: 2, batch: 1}
            checks: {sample: 12, directions: 2}
            """
        let result = Runner().verify(try loadCase(text))
        #expect(result.verdict == .pass, "\(result.failures.map(\.message))")
        let network = try #require(result.network)
        #expect(!network.everyParameterChecked)
        #expect(network.fullLoopForward == 57_169 && network.fullLoopCentral == 114_336)
        let gradients = network.agreement.filter { $0.kind == .gradient }
        #expect(gradients.map(\.name) == ["W1", "W2"])
        #expect(gradients.allSatisfy { $0.oracleCoordinates >= 2 })
        #expect(network.coordinatesChecked == gradients.reduce(0) { $0 + $1.oracleCoordinates })
    }
}
