// The workspace as a piece of machinery: reused buffers give identical results, sizes are
// checked, and the BLAS behind it is OpenBLAS.
import ADNetwork
import ADTestSupport
import Foundation
import PropertyBased
import Testing

@Suite("Workspace")
struct WorkspaceTests {
    @Test("Two consecutive valueAndGradient calls, and a call after other inputs, give bitwise identical results", arguments: [
        NetworkCase.cnn, NetworkCase.dense, NetworkCase.denseNoBias,
        NetworkCase(
            name: "784-72 tanh-10, batch 64", input: [784],
            layers: [.dense(Dense(inputs: 784, outputs: 72, bias: false)), .activation(.tanh), .dense(Dense(inputs: 72, outputs: 10, bias: false))],
            batch: 64, loss: .multiclassLogistic, seed: 90),
    ])
    func reuse(_ c: NetworkCase) throws {
        let network = try c.network()
        let problem = Problem(network, batch: c.batch, loss: c.loss, seed: c.seed)
        let other = Problem(network, batch: c.batch, loss: c.loss, seed: c.seed &+ 1)
        var workspace = NetworkWorkspace(network: network, batch: c.batch)
        var first: [Double] = [], second: [Double] = [], third: [Double] = []
        let a = workspace.valueAndGradient(parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets, into: &first)
        let b = workspace.valueAndGradient(parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets, into: &second)
        var scratch: [Double] = []
        let d = workspace.valueAndGradient(parameters: other.parameters, inputs: other.inputs, loss: c.loss, targets: other.targets, into: &scratch)
        let e = workspace.valueAndGradient(parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets, into: &third)
        #expect(a.bitPattern == b.bitPattern && a.bitPattern == e.bitPattern)
        #expect(first.map(\.bitPattern) == second.map(\.bitPattern))
        #expect(first.map(\.bitPattern) == third.map(\.bitPattern))
        #expect(d != a && scratch != first)
        // A fresh workspace agrees too: nothing depends on what the buffers held before.
        var fresh = NetworkWorkspace(network: network, batch: c.batch)
        var fourth: [Double] = []
        #expect(fresh.valueAndGradient(parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets, into: &fourth).bitPattern == a.bitPattern)
        #expect(fourth.map(\.bitPattern) == first.map(\.bitPattern))
    }

    @Test("The gradient is overwritten, not accumulated, and resized when it has the wrong size")
    func overwrite() throws {
        let c = NetworkCase.cnn
        let network = try c.network()
        let problem = Problem(network, batch: c.batch, loss: c.loss, seed: 3)
        var workspace = NetworkWorkspace(network: network, batch: c.batch)
        var clean: [Double] = []
        _ = workspace.valueAndGradient(parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets, into: &clean)
        var dirty = Array(repeating: 1e6, count: network.parameterCount)
        _ = workspace.valueAndGradient(parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets, into: &dirty)
        #expect(dirty == clean)
        var short = [1.0]
        _ = workspace.valueAndGradient(parameters: problem.parameters, inputs: problem.inputs, loss: c.loss, targets: problem.targets, into: &short)
        #expect(short == clean)
    }

    @Test("Per-sample results do not depend on the batch: a batch of 3 is three batches of 1 (each its own workspace)")
    func batchIndependence() throws {
        let c = NetworkCase.cnn
        let network = try c.network()
        let problem = Problem(network, batch: 3, loss: c.loss, seed: 4)
        var three = NetworkWorkspace(network: network, batch: 3)
        three.forward(parameters: problem.parameters, inputs: problem.inputs)
        var one = NetworkWorkspace(network: network, batch: 1)
        let n = network.input.count, m = network.output.count
        for s in 0..<3 {
            one.forward(parameters: problem.parameters, inputs: Array(problem.inputs[(s * n)..<((s + 1) * n)]))
            let (difference, scale) = maxAbsDifference(one.output, three.output[(three.output.startIndex + s * m)...].prefix(m))
            #expect(difference <= 1e-14 * scale)
        }
    }

    @Test("A batch of another size needs a new workspace: the wrong input count stops the program")
    func batchChange() async {
        await #expect(processExitsWith: .failure) {
            let network = try Sequential(input: Shape([3]), layers: [.dense(Dense(inputs: 3, outputs: 2))])
            var workspace = NetworkWorkspace(network: network, batch: 2)
            workspace.forward(parameters: Array(repeating: 0.5, count: 8), inputs: Array(repeating: 1, count: 9))
        }
        await #expect(processExitsWith: .failure) {
            let network = try Sequential(input: Shape([3]), layers: [.dense(Dense(inputs: 3, outputs: 2))])
            var workspace = NetworkWorkspace(network: network, batch: 2)
            workspace.forward(parameters: Array(repeating: 0.5, count: 7), inputs: Array(repeating: 1, count: 6))
        }
    }

    @Test("cblas_dgemm resolves to OpenBLAS, not GSL's reference libgslcblas (which the package also links)")
    func openBLAS() throws {
        let path = try #require(BLASLibrary.path)
        #expect(path.lowercased().contains("openblas"), "cblas_dgemm comes from \(path)")
        #expect(!path.contains("gslcblas"))
        #expect(BLASLibrary.configuration.hasPrefix("OpenBLAS"))
        print("cblas_dgemm from \(path); \(BLASLibrary.configuration); \(BLASLibrary.threads) threads")
    }
}
