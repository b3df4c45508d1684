// Case input that crashed the loader (a force unwrap, an overflow, an absurd allocation), each now
// a located error: nothing a user types may crash the tool (issue 17).
@testable import ADCatalog
import ADNetwork
import Foundation
import Testing

/// A network whose layers have no parameters (a max pool, then flatten).
func parameterlessNetwork(_ extra: String) -> String {
    """
    kind: network
    id: pool-only
    title: A max pool and a flatten
    network:
      input: [1, 4, 4]
      layers:
        - maxpool: {size: 2}
        - flatten

    """ + extra
}

@Suite("Input that crashed the loader")
struct InputCrashTests {
    @Test("a network without parameters, given data, is a located error at 'data', not a crash")
    func parameterlessWithData() throws {
        // The crash: readParameters force-unwrapped the seed to describe where the (zero)
        // parameters came from. A network with nothing to differentiate has no gradient to
        // check, so evaluating it would pass silently: the case says so where the data is.
        let text = parameterlessNetwork("data:\n  x: [[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]\n")
        let error = try loadError(text)
        #expect(error.message.hasPrefix("the network has no parameters"), "\(error)")
        #expect(error.message.contains("maxpool") && error.message.contains("flatten"), "\(error)")
        #expect(error.location.line == 9 && error.location.column == 1, "\(error)")
        #expect(error.description.hasPrefix("case.yaml:9:1: the network has no parameters"), "\(error)")
        #expect(error.description.hasSuffix(" 9 | data:\n   | ^"), "\(error)")
    }

    @Test("the same with a parameter seed or synthetic data")
    func parameterlessSeeded() throws {
        for extra in [
            "parameters: {seed: 3}\ndata:\n  x: [[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]\n",
            "data: {seed: 1, batch: 2}\n",
            "data: {seed: 1, batch: 2}\nexpect: {output: [[1, 2, 3, 4], [5, 6, 7, 8]]}\n",
        ] {
            let error = try loadError(parameterlessNetwork(extra))
            #expect(error.message.hasPrefix("the network has no parameters"), "\(error)")
            #expect(error.description.contains(" | data:"), "\(error)")
        }
    }

    @Test("without data a parameterless network is an architecture case, and loads")
    func parameterlessArchitecture() throws {
        let (cases, errors) = CaseLoader.load(text: parameterlessNetwork("expect: {parameters: 0, output_shape: [4]}\n"), path: "case.yaml")
        #expect(errors.isEmpty, "\(errors)")
        let network = try #require(cases.first?.network)
        #expect(network.model?.parameterCount == 0)
        #expect(network.evaluation == nil)
    }

    @Test("a dense layer of 6.6e18 weights given data is refused by size, before its parameters are allocated")
    func hugeDense() throws {
        // Before: readParameters ran first and asked for 6.6e18 doubles ("failed to allocate
        // 16659767778871345184 bytes", exit 134); a 20000x20000 layer allocated and drew 3.2 GB
        // for 20 s before the size check refused it, a pool of 2.5e9 parameters 20 GB.
        let text = """
            kind: network
            id: big
            title: big
            network:
              input: [2300000000]
              layers:
                - dense: {units: 2200000000, bias: false}
            parameters: {seed: 1}
            data: {seed: 1, batch: 1}
            """
        let error = try loadError(text)
        #expect(error.message.hasPrefix("the network written out as a graph would have more nodes than a 64-bit integer counts"), "\(error)")
        #expect(error.location.line == 9 && error.location.column == 7, "\(error)")
    }

    @Test("the graph size is checked before missing parameters are looked for")
    func sizeBeforeParameters() throws {
        let text = """
            kind: network
            id: big
            title: big
            network:
              input: [20000]
              layers:
                - dense: {units: 20000, bias: false}
            data: {seed: 1, batch: 1}
            """
        let error = try loadError(text)
        #expect(error.message.hasPrefix("the network written out as a graph would have about 1200120000 nodes"), "\(error)")
        #expect(error.location.line == 8, "\(error)")
    }

    @Test("the node estimate saturates instead of overflowing", arguments: [
        (Shape([2300000000]), [Layer.dense(Dense(inputs: 2300000000, outputs: 2200000000, bias: false))]),
        (Shape([1, 100000, 100000]), [Layer.maxPool(Pool(size: 50000, stride: 1)), .maxPool(Pool(size: 40000, stride: 1))]),
        (Shape([3, 1000000, 1000]), [Layer.conv2d(Conv2d(inChannels: 3, outChannels: 3000, kernel: 1000, stride: 1, padding: 0))]),
    ])
    func estimateSaturates(_ input: Shape, _ layers: [Layer]) throws {
        let model = try Sequential(input: input, layers: layers)
        #expect(NetworkLowering.estimatedNodes(model, batch: 1) > NetworkLowering.maxNodes)
        #expect(NetworkLowering.estimatedNodes(model, batch: 100_000) > NetworkLowering.maxNodes)
    }

    @Test("an expected expression that is NaN says NaN, not the sign bit's '-nan'")
    func expectedNaN() throws {
        // Found by the document generator: sqrt(-1) is a NaN with its sign bit set, which Swift prints as -nan.
        let error = try loadError("id: a\ntitle: t\ninputs: {x: -1}\noutput: x\nexpect: {value: \"sqrt(x) + 0*log(x)\"}\n")
        #expect(error.message.hasPrefix("the expected expression 'sqrt(x) + 0*log(x)' is NaN at the case's inputs: it must be finite"), "\(error)")
        #expect(error.location.line == 5 && error.location.column == 17, "\(error)")
    }
}
