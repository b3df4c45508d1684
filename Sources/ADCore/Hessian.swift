/// Second derivatives: Hessian-vector products by forward over reverse, and full Hessians.
extension Workspace {
    /// `Σ_k u_k ∇²f_k(x) v`: the second-order adjoint for cotangent `u` (one number per output;
    /// `nil` is `[1]` for a scalar function, so the result is `∇²f(x) v`) along direction `v`.
    ///
    /// Forward over reverse: one linearising primal, the second-order local partials of every
    /// node (``Op/secondPartials(_:_:value:)``), one tangent sweep along `v`, one adjoint sweep
    /// for `u`, then one sweep of the adjoints' tangents backwards:
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
        if let u, u.count != graph.outputCount { throw .seedCount(what: "cotangent", expected: graph.outputCount, got: u.count) }
        try linearize(at: x)
        try secondOrderAdjoints(direction: v, cotangent: u)
        let s = storage
        if result.count != s.inputCount { result = Array(repeating: 0, count: s.inputCount) }
        for k in 0..<s.inputCount { result[k] = s.adjointTangents[k] }
    }

    /// The Hessian of output `k` (or of `Σ_k u_k f_k` for a cotangent `u`), by one
    /// Hessian-vector product per input: row `i` is `∇²f e_i`. Not symmetrised, so a check can
    /// compare it with its transpose.
    public mutating func hessian(at x: [Double], cotangent u: [Double]? = nil) throws(ADCoreError) -> [[Double]] {
        let n = graph.inputCount
        var rows: [[Double]] = []
        var e = [Double](repeating: 0, count: n)
        var row: [Double] = []
        for i in 0..<n {
            e[i] = 1
            try hvp(at: x, direction: e, cotangent: u, into: &row)
            e[i] = 0
            rows.append(row)
        }
        return rows
    }

    /// The sweeps of a Hessian-vector product after ``linearize(at:)``.
    private mutating func secondOrderAdjoints(direction v: [Double], cotangent u: [Double]?) throws(ADCoreError) {
        try forward(seeds: v, width: 1)
        var w = seedScratch
        seedScratch = []
        defer { seedScratch = w }
        if let u { w = u } else {
            if w.count != graph.outputCount { w = Array(repeating: 0, count: graph.outputCount) }
            w.update(repeating: 0)
            if !w.isEmpty { w[0] = 1 }
        }
        try reverse(cotangent: w)
        storage.secondOrderSweep()
    }
}

extension WorkspaceStorage {
    /// The tangents of the adjoints along the last tangent sweep's direction, from the stored
    /// values, partials, tangents (width 1) and adjoints; the second partials are computed here.
    func secondOrderSweep() {
        let q = reserveSecondOrder()
        let v = values, p = partials, t = tangents, adj = adjoints, lhs = lhs, rhs = rhs, ops = ops, zero = zeroSlot
        let dot = adjointTangents
        dot.update(repeating: 0, count: slotCount)
        for k in firstPrimitive..<slotCount {
            let (aa, ab, bb) = ops[k].secondPartials(v[Int(lhs[k])], v[Int(rhs[k])], value: v[k])
            q[3 &* k] = aa
            q[3 &* k &+ 1] = ab
            q[3 &* k &+ 2] = bb
        }
        var k = slotCount - 1
        while k >= firstPrimitive {
            let a = adj[k], d = dot[k]
            let l = Int(lhs[k]), r = Int(rhs[k])
            let tl = t[l], tr = t[r]
            // Both terms: the first partial carries the adjoint's tangent, the second partials the
            // adjoint along the operands' tangents (zero-safe, as the first-order sweeps).
            let curvatureA = scaled(q[3 &* k], by: tl) + scaled(q[3 &* k &+ 1], by: tr)
            dot[l] += scaled(p[2 &* k], by: d) + scaled(curvatureA, by: a)
            if r != zero {
                let curvatureB = scaled(q[3 &* k &+ 1], by: tl) + scaled(q[3 &* k &+ 2], by: tr)
                dot[r] += scaled(p[2 &* k &+ 1], by: d) + scaled(curvatureB, by: a)
            }
            k -= 1
        }
    }
}
