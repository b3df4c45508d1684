/// Second derivatives: Hessian-vector products by forward over reverse, and full Hessians.
extension Workspace {
    /// `Σ_k u_k ∇²f_k(x) v`: the second-order adjoint for cotangent `u` (one number per output;
    /// `nil` is `[1, 0, …]`, so for a scalar function the result is `∇²f(x) v`) along direction `v`.
    ///
    /// Forward over reverse: one linearising primal, one adjoint sweep for `u`, one tangent sweep
    /// along `v`, then one sweep of the adjoints' tangents backwards, with each node's second-order
    /// partials (``Op/secondPartials(_:_:value:)``) taken as it is passed:
    /// `ȧ_lhs += ∂v/∂a ȧ + ā (∂²v/∂a² ṫ_lhs + ∂²v/∂a∂b ṫ_rhs)` and likewise for `rhs`. A zero
    /// adjoint or tangent sends nothing through an infinite second partial, as in the first-order
    /// sweeps. Afterwards ``adjoint(of:)`` holds the adjoints for `u` and ``tangent(of:direction:)``
    /// the tangents along `v`.
    public mutating func hvp(at x: [Double], direction v: [Double], cotangent u: [Double]? = nil) throws(ADCoreError) -> [Double] {
        var result: [Double] = []
        try hvp(at: x, direction: v, cotangent: u, into: &result)
        return result
    }

    /// ``hvp(at:direction:cotangent:)`` into `result` (resized to the input count); allocates
    /// nothing once its buffers exist.
    public mutating func hvp(at x: [Double], direction v: [Double], cotangent u: [Double]? = nil,
                             into result: inout [Double]) throws(ADCoreError) {
        guard v.count == graph.inputCount else {
            throw .seedCount(what: "direction", expected: graph.inputCount, got: v.count)
        }
        try linearize(at: x)
        try reverse(cotangent: u ?? unitCotangent())
        try secondOrderProduct(direction: v, into: &result)
    }

    /// The Hessian of output 0 (or of `Σ_k u_k f_k` for a cotangent `u`), one Hessian-vector
    /// product per input after one linearisation and one adjoint sweep: row `i` is `∇²f e_i`.
    /// Not symmetrised, so a check can compare it with its transpose.
    public mutating func hessian(at x: [Double], cotangent u: [Double]? = nil) throws(ADCoreError) -> [[Double]] {
        try linearize(at: x)
        try reverse(cotangent: u ?? unitCotangent())
        let n = graph.inputCount
        var rows: [[Double]] = []
        var e = [Double](repeating: 0, count: n)
        var row: [Double] = []
        for i in 0..<n {
            e[i] = 1
            try secondOrderProduct(direction: e, into: &row)
            e[i] = 0
            rows.append(row)
        }
        return rows
    }

    /// The tangent of `node`'s adjoint along the last product's direction (after ``hvp(at:direction:cotangent:)``
    /// or ``hessian(at:cotangent:)``, its last row): at input `i`, component `i` of the product.
    public func adjointTangent(of node: Int) -> Double { storage.adjointTangents[storage.slot(of: node)] }

    /// One tangent sweep along `v` and the backward sweep of the adjoints' tangents, after
    /// ``linearize(at:)`` and ``reverse(cotangent:)``; the inputs' adjoint tangents into `result`.
    private mutating func secondOrderProduct(direction v: [Double], into result: inout [Double]) throws(ADCoreError) {
        try forward(seeds: v, width: 1)
        let s = storage
        s.adjointTangentSweep(mutation: ruleMutation.flatMap { $0.isSecondOrder ? $0 : nil })
        if result.count != s.inputCount { result = Array(repeating: 0, count: s.inputCount) }
        let dot = s.adjointTangents
        for k in 0..<s.inputCount { result[k] = dot[k] }
    }
}

extension WorkspaceStorage {
    /// The tangents of the adjoints along the last tangent sweep's direction (width 1), from the
    /// stored values, partials, tangents and adjoints, last primitive first; a second-order
    /// `mutation` replaces its primitive's second partials (`adverify selftest`).
    func adjointTangentSweep(mutation: RuleMutation? = nil) {
        let v = values, p = partials, t = tangents, adj = adjoints, lhs = lhs, rhs = rhs, ops = ops, zero = zeroSlot
        let dot = adjointTangents
        dot.update(repeating: 0, count: slotCount)
        var k = slotCount - 1
        while k >= firstPrimitive {
            let a = adj[k], d = dot[k]
            let l = Int(lhs[k]), r = Int(rhs[k])
            var (aa, ab, bb) = ops[k].secondPartials(v[l], v[r], value: v[k])
            if let mutation, ops[k] == mutation.op { (aa, ab, bb) = mutation.secondPartials(v[l], v[r], value: v[k]) }
            let tl = t[l], tr = t[r]
            // The first partial carries the adjoint's tangent, the second partials the adjoint
            // along the operands' tangents (zero-safe, as the first-order sweeps).
            dot[l] += scaled(p[2 &* k], by: d) + scaled(scaled(aa, by: tl) + scaled(ab, by: tr), by: a)
            if r != zero {
                dot[r] += scaled(p[2 &* k &+ 1], by: d) + scaled(scaled(ab, by: tl) + scaled(bb, by: tr), by: a)
            }
            k -= 1
        }
    }
}
