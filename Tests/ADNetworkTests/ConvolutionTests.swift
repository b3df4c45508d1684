// The convolution's forward pass on the worked example of the Ellis & Smith slides.
import ADNetwork
import Testing

@Suite("Convolution")
struct ConvolutionTests {
    @Test("Ellis & Smith: the 5x5 image and the X-shaped 3x3 kernel give [[4,3,4],[2,4,3],[2,3,4]]")
    func slidesExample() throws {
        let image: [Double] = [
            1, 1, 1, 0, 0,
            0, 1, 1, 1, 0,
            0, 0, 1, 1, 1,
            0, 0, 1, 1, 0,
            0, 1, 1, 0, 0,
        ]
        let kernel: [Double] = [
            1, 0, 1,
            0, 1, 0,
            1, 0, 1,
        ]
        let network = try Sequential(input: Shape([1, 5, 5]), layers: [.conv2d(Conv2d(inChannels: 1, outChannels: 1, kernel: 3, bias: false))])
        var workspace = NetworkWorkspace(network: network, batch: 1)
        workspace.forward(parameters: kernel, inputs: image)
        #expect(Array(workspace.output) == [4, 3, 4, 2, 4, 3, 2, 3, 4])
    }

    @Test("The same image twice in a batch, filter 1 with bias 0.5, filter 2 picking x(i, j+2) with bias -1")
    func batchAndBias() throws {
        let image: [Double] = [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]
        // Filter 1: [[1,0,1],[0,1,0],[1,0,1]]; filter 2: [[0,0,1],[0,0,0],[0,0,0]] picks x_(i, j+2).
        let parameters: [Double] = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0.5, -1]
        let network = try Sequential(input: Shape([1, 5, 5]), layers: [.conv2d(Conv2d(inChannels: 1, outChannels: 2, kernel: 3))])
        var workspace = NetworkWorkspace(network: network, batch: 2)
        workspace.forward(parameters: parameters, inputs: image + image)
        let one: [Double] = [4.5, 3.5, 4.5, 2.5, 4.5, 3.5, 2.5, 3.5, 4.5] + [0, -1, -1, 0, 0, -1, 0, 0, 0]
        #expect(Array(workspace.output) == one + one)
    }
}
