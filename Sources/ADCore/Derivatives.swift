/// Gradients, JVPs, VJPs and Jacobians: the sweeps of ``Workspace`` put to work.
extension Workspace {
    /// The widest forward sweep that keeps the tangent buffer near 32 MiB (at most 64
    /// directions): vector mode for small graphs, chunks for large input counts.
    public static func chunkWidth(nodeCount: Int, inputCount: Int) -> Int {
        let byMemory = (1 << 22) / Swift.max(nodeCount, 1)
        return Swift.max(1, Swift.min(inputCount, 64, byMemory))
    }

    // MARK: Reverse mode

    /// The gradient of output 0 by one reverse sweep with cotangent 1, written into `g`
    /// (resized to the input count). Allocates nothing once `g` has the right size.
    public mutating func gradient(at x: [Double], into g: inout [Double]) throws(ADCoreError) {
        try vjp(at: x, cotangent: unitCotangent(), into: &g)
    }

    /// The gradient of output 0 by reverse mode.
    public mutating func gradient(at x: [Double]) throws(ADCoreError) -> [Double] {
        var g: [Double] = []
        try gradient(at: x, into: &g)
        return g
    }

    /// `w^T J`: the vector-Jacobian product for any cotangent `w`, by one reverse sweep.
    public mutating func vjp(at x: [Double], cotangent w: [Double], into g: inout [Double]) throws(ADCoreError) {
        try linearize(at: x)
        try reverse(cotangent: w)
        copyInputAdjoints(into: &g)
    }

    /// `w^T J` by one reverse sweep.
    public mutating func vjp(at x: [Double], cotangent w: [Double]) throws(ADCoreError) -> [Double] {
        var g: [Double] = []
        try vjp(at: x, cotangent: w, into: &g)
        return g
    }

    /// The Jacobian by reverse mode: one linearization, then one adjoint sweep per output.
    /// Afterwards ``adjoints`` holds the last sweep's: every node's adjoint for the last output
    /// (for a scalar function, `∂f/∂node` of every node).
    public mutating func jacobianReverse(at x: [Double]) throws(ADCoreError) -> Jacobian {
        try linearize(at: x)
        let m = graph.outputCount, n = graph.inputCount
        var jacobian = Jacobian(rows: m, columns: n, entries: Array(repeating: 0, count: m * n))
        var w = Array(repeating: 0.0, count: m)
        for row in 0..<m {
            w[row] = 1
            try reverse(cotangent: w)
            w[row] = 0
            for column in 0..<n { jacobian[row, column] = inputAdjoint(column) }
        }
        return jacobian
    }

    // MARK: Forward mode

    /// `J u`: the Jacobian-vector product for any direction `u`, by one tangent sweep.
    public mutating func jvp(at x: [Double], direction u: [Double]) throws(ADCoreError) -> [Double] {
        try linearize(at: x)
        try forward(seeds: u, width: 1)
        return graph.outputNodes.map { tangent(of: $0) }
    }

    /// The Jacobian by forward mode: identity seeds for all `n` inputs, swept in chunks of
    /// ``chunkWidth(nodeCount:inputCount:)`` directions (one sweep when `n` is small).
    public mutating func jacobianForward(at x: [Double]) throws(ADCoreError) -> Jacobian {
        try linearize(at: x)
        let m = graph.outputCount, n = graph.inputCount
        var jacobian = Jacobian(rows: m, columns: n, entries: Array(repeating: 0, count: m * n))
        try forEachIdentityChunk { first, width, ws in
            for (row, node) in ws.graph.outputNodes.enumerated() {
                for j in 0..<width { jacobian[row, first + j] = ws.tangent(of: node, direction: j) }
            }
        }
        return jacobian
    }

    /// The gradient of output 0 by vector forward mode (all `n` directions, chunked), into `g`.
    public mutating func forwardGradient(at x: [Double], into g: inout [Double]) throws(ADCoreError) {
        try linearize(at: x)
        if g.count != graph.inputCount { g = Array(repeating: 0, count: graph.inputCount) }
        let node = graph.outputNodes[0]
        try forEachIdentityChunk { first, width, ws in
            for j in 0..<width { g[first + j] = ws.tangent(of: node, direction: j) }
        }
    }

    /// The gradient of output 0 by vector forward mode.
    public mutating func forwardGradient(at x: [Double]) throws(ADCoreError) -> [Double] {
        var g: [Double] = []
        try forwardGradient(at: x, into: &g)
        return g
    }

    /// Runs forward sweeps over identity seeds, chunk by chunk, handing each chunk's first
    /// input index and width to `body`. The seed buffer is reused across chunks and calls.
    private mutating func forEachIdentityChunk(
        _ body: (Int, Int, Workspace) -> Void
    ) throws(ADCoreError) {
        let n = graph.inputCount
        guard n > 0 else { return }
        let width = Workspace.chunkWidth(nodeCount: graph.nodeCount, inputCount: n)
        var seeds = seedScratch
        seedScratch = []
        defer { seedScratch = seeds }
        var first = 0
        while first < n {
            let w = Swift.min(width, n - first)
            if seeds.count != n * w { seeds = Array(repeating: 0, count: n * w) } else { seeds.update(repeating: 0) }
            for j in 0..<w { seeds[(first + j) * w + j] = 1 }
            try forward(seeds: seeds, width: w)
            body(first, w, self)
            first += w
        }
    }

    /// `[1, 0, …]`: the cotangent that picks output 0, in reused scratch.
    mutating func unitCotangent() -> [Double] {
        if seedScratch.count != graph.outputCount { seedScratch = Array(repeating: 0, count: graph.outputCount) }
        seedScratch.update(repeating: 0)
        if !seedScratch.isEmpty { seedScratch[0] = 1 }
        return seedScratch
    }
}

extension Array where Element == Double {
    mutating func update(repeating value: Double) {
        withUnsafeMutableBufferPointer { $0.update(repeating: value) }
    }
}
