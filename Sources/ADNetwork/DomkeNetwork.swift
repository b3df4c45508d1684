// Domke's general form of a neural network ("Automatic Differentiation and Neural Networks",
// section 5): every unit sees any earlier values, not just the previous layer.
import Foundation

/// A network of units over a directed acyclic graph, in Domke's notation.
///
/// ```
/// v_1 .. v_n = x                                   (the inputs)
/// v_i = sigma_i(w_i . v_Pa(i))      for i > n      (each parent index earlier than i)
/// f = (v_{N-M+1}, ..., v_N)                        (the last M values)
/// ```
///
/// Indices are 0-based in code: value `j < inputCount` is input `j`, value `inputCount + u`
/// is unit `u`. The weights are one flat vector, unit by unit, each unit's `w_i` in the order
/// of its parents; ``weightOffsets`` says where each unit's weights start.
///
/// This is the plain, one-sample reference of the algorithm as the text gives it: arrays per
/// call, a loop per unit. ``NetworkWorkspace`` is the fast path for layered networks.
public struct UnitNetwork: Sendable, Hashable {
    /// One unit: `v_i = activation(w_i . v_parents)`.
    public struct Unit: Sendable, Hashable {
        /// Value indices (inputs first, then units), each earlier than this unit's own.
        public var parents: [Int]
        public var activation: Activation

        public init(parents: [Int], activation: Activation) {
            self.parents = parents
            self.activation = activation
        }
    }

    /// `n`, the number of inputs.
    public let inputCount: Int
    public let units: [Unit]
    /// `M`, the number of outputs: the last `M` units.
    public let outputCount: Int
    /// Where unit `u`'s weights start in the flat weight vector; one more entry at the end
    /// holds the total, ``weightCount``.
    public let weightOffsets: [Int]

    /// `N`, the number of values: inputs plus units.
    public var valueCount: Int { inputCount + units.count }
    /// The length of the weight vector.
    public var weightCount: Int { weightOffsets[units.count] }

    /// Checks that every parent precedes its unit and that there are at least `outputCount`
    /// units, and lays out the weights.
    public init(inputCount: Int, units: [Unit], outputCount: Int) throws(NetworkError) {
        guard inputCount > 0 else { throw NetworkError(layer: nil, "a network needs at least one input, not \(inputCount)") }
        guard outputCount > 0, outputCount <= units.count else {
            throw NetworkError(layer: nil, "the \(outputCount) outputs must be among the last of the \(units.count) units (1 <= M <= units)")
        }
        var offsets = [0]
        for (u, unit) in units.enumerated() {
            let own = inputCount + u
            for p in unit.parents where p < 0 || p >= own {
                throw NetworkError(
                    layer: nil,
                    "unit \(u) (value \(own)) has parent \(p), but parents must be earlier values, 0..<\(own)")
            }
            offsets.append(offsets[u] + unit.parents.count)
        }
        self.inputCount = inputCount
        self.units = units
        self.outputCount = outputCount
        self.weightOffsets = offsets
    }

    /// A dense-only ``Sequential`` without biases as units, with the same weight order: dense
    /// layer `W` (`outputs x inputs`, row-major) becomes one unit per output row, whose parents
    /// are the previous layer's units in order, so row `o` of `W` is that unit's `w_i`. Each
    /// dense layer may be followed by one activation (the units' `sigma_i`; identity otherwise).
    /// The flat weight vector is therefore the Sequential's parameter vector, entry for entry.
    public init(layered network: Sequential) throws(NetworkError) {
        guard network.input.dims.count == 1 else {
            throw NetworkError(layer: nil, "a unit network takes features, but the input is \(network.input)")
        }
        var units: [Unit] = []
        var previous = Array(0..<network.input.count)
        var k = 0
        while k < network.layers.count {
            guard case .dense(let d) = network.layers[k] else {
                throw NetworkError(layer: k, "only dense layers, each followed by at most one activation, become units; found \(network.layers[k].description)")
            }
            guard !d.bias else {
                throw NetworkError(layer: k, "Domke's units have no bias; use Dense(..., bias: false)")
            }
            var activation = Activation.identity
            if k + 1 < network.layers.count, case .activation(let a) = network.layers[k + 1] {
                activation = a
                k += 1
            }
            let first = network.input.count + units.count
            for _ in 0..<d.outputs { units.append(Unit(parents: previous, activation: activation)) }
            previous = Array(first..<(first + d.outputs))
            k += 1
        }
        guard let last = network.shapes.last, !units.isEmpty else {
            throw NetworkError(layer: nil, "a network without dense layers has no units")
        }
        try self.init(inputCount: network.input.count, units: units, outputCount: last.count)
    }

    /// Forward propagation: all `N` values `v`, inputs first; the outputs are the last
    /// ``outputCount``.
    public func forward(x: [Double], weights: [Double]) -> [Double] {
        var v = [Double](repeating: 0, count: valueCount)
        var vPrime = v
        propagate(x: x, weights: weights, v: &v, vPrime: &vPrime)
        return v
    }

    /// Domke's Backpropagation algorithm (section 5), as written:
    ///
    /// ```
    /// Input x.
    /// Set v_{1..n} <- x
    /// For i = n+1, n+2, ..., N:
    ///     v_i  <- sigma_i (w_i . v_Pa(i))
    ///     v'_i <- sigma'_i(w_i . v_Pa(i))
    /// Set f <- (v_{N-M+1}, v_{N-M+2}, ..., v_N)
    /// Set L <- L(f, y)
    /// Compute dL/df
    /// Initialize dL/dv_i <- 0
    /// For m = 1, 2, ..., M:
    ///     dL/dv_{N-M+m} <- dL/df_m
    /// For i = N, N-1, ..., n+1:
    ///     dL/dw_i       <- dL/dv_i v'_i v_Pa(i)
    ///     dL/dv_Pa(i)   <- dL/dv_Pa(i) + dL/dv_i v'_i w_i
    /// ```
    ///
    /// A slip in the text: just before eq. (5.2) it defines `v'_i = sigma'_i(w_i . v_Pa(i)) w_iq`,
    /// with the weight, but eq. (5.2) (`dv_i/dv_j = v'_i w_iq`) and the algorithm use
    /// `v'_i = sigma'_i(w_i . v_Pa(i))` alone; with the weight it would be counted twice.
    /// This implements the algorithm's version.
    ///
    /// `target` is for a batch of one (`.labels([y])` or `.values(y)` of ``outputCount``
    /// entries). Returns `L`; `gradient` (resized to ``weightCount`` if needed) is overwritten
    /// with `dL/dw`, unit by unit like the weights.
    public func backpropagation(x: [Double], weights: [Double], loss: Loss, target: Targets, gradient: inout [Double]) -> Double {
        let n = inputCount, N = valueCount, M = outputCount
        var v = [Double](repeating: 0, count: N)
        var vPrime = v
        propagate(x: x, weights: weights, v: &v, vPrime: &vPrime)
        let f = Array(v[(N - M)...])
        let (L, dLdf) = NetworkWorkspace.loss(loss, outputs: f, targets: target, batch: 1)
        var dLdv = [Double](repeating: 0, count: N)
        for m in 0..<M { dLdv[N - M + m] = dLdf[m] }
        if gradient.count != weightCount { gradient = Array(repeating: 0, count: weightCount) }
        for i in stride(from: N - 1, through: n, by: -1) {
            let u = i - n, w = weightOffsets[u]
            let delta = dLdv[i] * vPrime[i]
            for (q, parent) in units[u].parents.enumerated() {
                gradient[w + q] = delta * v[parent]
                dLdv[parent] += delta * weights[w + q]
            }
        }
        return L
    }

    /// The forward half of the algorithm: `v_i` and `v'_i = sigma'_i(w_i . v_Pa(i))`.
    private func propagate(x: [Double], weights: [Double], v: inout [Double], vPrime: inout [Double]) {
        precondition(x.count == inputCount, "the network has \(inputCount) inputs, not \(x.count)")
        precondition(weights.count == weightCount, "the network has \(weightCount) weights, not \(weights.count)")
        for j in 0..<inputCount { v[j] = x[j] }
        for (u, unit) in units.enumerated() {
            let w = weightOffsets[u]
            var a = 0.0
            for (q, parent) in unit.parents.enumerated() { a += weights[w + q] * v[parent] }
            v[inputCount + u] = unit.activation.value(a)
            vPrime[inputCount + u] = unit.activation.derivative(a)
        }
    }
}
