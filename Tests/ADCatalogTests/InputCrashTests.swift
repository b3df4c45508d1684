// Case input that crashed the loader (a force unwrap, an overflow, an absurd allocation), each now
// a located error: nothing a user types may crash the tool (issue 17).
import ADCatalog
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
}
