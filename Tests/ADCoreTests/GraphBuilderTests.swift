import Testing
@testable import ADCore

@Suite("Graph builder validation")
struct GraphBuilderTests {
    @Test("forward references, arity, names, outputs")
    func validation() throws {
        var b = GraphBuilder()
        let x = try b.input("x")
        #expect(throws: ADCoreError.forwardReference(op: .exp, operand: 5, nodeCount: 1)) { try b.apply(.exp, 5) }
        #expect(throws: ADCoreError.forwardReference(op: .add, operand: -1, nodeCount: 1)) { try b.apply(.add, x, -1) }
        #expect(throws: ADCoreError.arity(op: .add, expected: 2, got: 1)) { try b.apply(.add, x) }
        #expect(throws: ADCoreError.arity(op: .exp, expected: 1, got: 2)) { try b.apply(.exp, x, x) }
        #expect(throws: ADCoreError.self) { try b.apply(.constant, x) }
        #expect(throws: ADCoreError.duplicateName("x")) { try b.input("x") }
        #expect(throws: ADCoreError.invalidName("2x")) { try b.input("2x") }
        #expect(throws: ADCoreError.invalidName("")) { try b.apply(.exp, x, name: "") }
        #expect(throws: ADCoreError.noOutputs) { try b.build() }
        let e = try b.apply(.exp, x, name: "e")
        try b.output(e)
        let g = try b.build()
        #expect(g.outputNames == ["e"] && g.inputNames == ["x"] && g.nodeCount == 2)
    }

    @Test("pow with a constant exponent takes the fast path; display names and formulas")
    func powFastPathAndFormulas() throws {
        var b = GraphBuilder()
        let x = try b.input("x")
        let y = try b.input("y")
        let two = try b.constant(2)
        let p = try b.apply(.pow, x, two)
        let q = try b.apply(.pow, x, y, name: "q")
        let r = try b.apply(.leakyRelu, q, try b.constant(0.1))
        try b.output(try b.apply(.add, p, r))
        let g = try b.build()
        #expect(g.ops[p] == .powConst && g.ops[q] == .pow)
        let names = g.displayNames
        #expect(g.formula(of: p, displayNames: names) == "x ^ 2")
        #expect(g.formula(of: r, displayNames: names) == "leaky_relu(q, 0.1)")
        #expect(names[p] == "v3")
    }
}
