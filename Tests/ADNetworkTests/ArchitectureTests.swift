import ADNetwork
import Testing

@Suite("Network geometry")
struct ArchitectureTests {
    @Test("Ellis & Smith: 7x7 input, 3x3 filter: stride 1 gives 5x5, stride 2 gives 3x3, stride 3 is an error")
    func strides() throws {
        let one = try Sequential(input: Shape([1, 7, 7]), layers: [.conv2d(Conv2d(inChannels: 1, outChannels: 1, kernel: 3))])
        #expect(one.output == Shape([1, 5, 5]))
        #expect(one.parameterCount == 10)
        let two = try Sequential(input: Shape([1, 7, 7]), layers: [.conv2d(Conv2d(inChannels: 1, outChannels: 1, kernel: 3, stride: 2))])
        #expect(two.output == Shape([1, 3, 3]))
        #expect(throws: NetworkError.self) {
            try Sequential(input: Shape([1, 7, 7]), layers: [.conv2d(Conv2d(inChannels: 1, outChannels: 1, kernel: 3, stride: 3))])
        }
    }

    @Test("3x32x32, ten 5x5 filters, stride 1, pad 2: 10x32x32 and 760 parameters; 200x200 -> 500 has 20,000,000 weights")
    func counts() throws {
        let conv = try Sequential(input: Shape([3, 32, 32]), layers: [.conv2d(Conv2d(inChannels: 3, outChannels: 10, kernel: 5, stride: 1, padding: 2))])
        #expect(conv.output == Shape([10, 32, 32]))
        #expect(conv.parameterCount == 760)
        let dense = try Sequential(input: Shape([40_000]), layers: [.dense(Dense(inputs: 40_000, outputs: 500, bias: false))])
        #expect(dense.parameterCount == 20_000_000)
    }

    @Test("Domke's 784-72-10 without biases has 57,168 parameters")
    func domke() throws {
        let net = try Sequential(input: Shape([784]), layers: [
            .dense(Dense(inputs: 784, outputs: 72, bias: false)), .activation(.tanh),
            .dense(Dense(inputs: 72, outputs: 10, bias: false)),
        ])
        #expect(net.parameterCount == 57_168)
        #expect(net.parameters.map(\.name) == ["W1", "W2"])
    }
}
