import ADCatalog
import ADCore
import Foundation
import Testing

let peharzYAML = """
    id: peharz-backward-pass
    title: Backward pass at x = 2
    source: Peharz, "Backwards Pass" slides
    tags: [textbook, reverse-mode]
    inputs: {x: 2}
    let:
      a: x^2
      b: exp(a)
      c: a + b
      d: sqrt(c)
      e: cos(c)
    output: d + e
    expect:
      value: 7.194
      values: {a: 4, b: 54.598}
      gradient: {x: -182.87}
      adjoints: {c: -0.822, a: -45.717}
      tangents:
        seed: {x: 1}
        values: {a: 4}
    """

/// The one error loading `text` gives.
func loadError(_ text: String) throws -> CatalogError {
    let (cases, errors) = CaseLoader.load(text: text, path: "case.yaml")
    #expect(cases.isEmpty)
    #expect(errors.count == 1, "\(errors)")
    return try #require(errors.first)
}

@Suite("Case files")
struct CaseLoaderTests {
    @Test("a case file becomes a graph, a point and located expectations")
    func loads() throws {
        let (cases, errors) = CaseLoader.load(text: peharzYAML, path: "case.yaml")
        #expect(errors.isEmpty)
        let c = try #require(cases.first)
        #expect(c.id == "peharz-backward-pass")
        #expect(c.tags == ["textbook", "reverse-mode"])
        #expect(c.inputNames == ["x"] && c.point == [2])
        #expect(c.letNames == ["a", "b", "c", "d", "e"])
        #expect(c.outputNames == ["f"] && c.isScalar)
        #expect(c.location == SourceLocation(file: "case.yaml", line: 1, column: 5))
        #expect(c.expectations.count == 7)
        #expect(c.tangentSeeds == [[1]])
        let gradient = try #require(c.expectations.first { $0.quantity == .partial(output: 0, input: 0) })
        #expect(gradient.expected.text == "-182.87")
        #expect(gradient.expected.budget == 0.005)
        #expect(gradient.expected.location == SourceLocation(file: "case.yaml", line: 16, column: 17))
        var ws = Workspace(for: c.graph)
        try ws.evaluate(at: c.point)
        #expect(abs(ws.outputValue(0) - 7.194329635585855) < 1e-14)
    }

    @Test("expected literals keep their printed precision", arguments: [
        // An integer literal is exact (the default tolerance: 1e-12 + 1e-10 * 4); `4.0` is printed.
        ("-182.87", 0.005), ("4", 1e-12 + 4e-10), ("-4", 1e-12 + 4e-10), ("4.0", 0.05), ("1.5e-3", 0.00005), ("0.964", 0.0005),
        ("1e3", 500.0), ("+.25", 0.005),
    ])
    func printedPrecision(literal: String, budget: Double) throws {
        let text = "id: p\ntitle: t\ninputs: {x: 1}\noutput: x\nexpect: {value: \(literal)}\n"
        let (cases, errors) = CaseLoader.load(text: text, path: "p.yaml")
        #expect(errors.isEmpty, "\(errors)")
        let e = try #require(cases.first?.expectations.first)
        #expect(abs(e.expected.budget - budget) <= 1e-12 * budget)
    }

    @Test("a quoted expectation is an expression over the inputs, with the case's tolerance")
    func expressionExpectation() throws {
        let text = "id: p\ntitle: t\ninputs: {x: 2}\noutput: x^2\nexpect: {gradient: {x: \"2*x\"}}\ntolerance: {rtol: 1e-9, atol: 0}\n"
        let c = try #require(CaseLoader.load(text: text, path: "p.yaml").cases.first)
        let e = try #require(c.expectations.first)
        #expect(e.expected.value == 4)
        #expect(e.expected.form == .expression(ExpressionTolerance(rtol: 1e-9, atol: 0)))
    }

    @Test("kinks: names the convention a case's numbers were written for; absent, the run's")
    func kinks() throws {
        let text = "id: a\ntitle: t\nkinks: pytorch\ninputs: {x: 0}\noutput: relu(x)\n---\nid: b\ntitle: t\nkinks: \"x>=0\"\ninputs: {x: 0}\noutput: relu(x)\n---\nid: c\ntitle: t\ninputs: {x: 0}\noutput: relu(x)\n"
        let (cases, errors) = CaseLoader.load(text: text, path: "k.yaml")
        #expect(errors.isEmpty, "\(errors)")
        #expect(cases.map(\.kinks) == [.pytorch, .nonNegativeBranch, nil])
        let network = "kind: network\nid: n\ntitle: t\nkinks: jax\nnetwork:\n  input: [2]\n  layers:\n    - dense: {units: 1}\n    - relu\n"
        let loaded = CaseLoader.load(text: network, path: "n.yaml")
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        #expect(loaded.cases.first?.kinks == .jax)
    }

    @Test("hessian and hvp: every entry and component becomes a second-order expectation")
    func secondOrderExpectations() throws {
        let text = """
            id: a
            title: t
            inputs: {x: 1.5, y: -2}
            output: x^2*y
            expect:
              hessian: [["2*y", "2*x"], [3, 0]]
              hvp:
                - direction: {x: 0.5, y: -1.25}
                  values: {x: "2*y*0.5 + 2*x*(-1.25)"}
                - direction: {y: 2}
                  values: {x: 6, y: 0}
            """
        let (cases, errors) = CaseLoader.load(text: text, path: "h.yaml")
        #expect(errors.isEmpty, "\(errors)")
        let c = try #require(cases.first)
        #expect(c.hvpDirections == [[0.5, -1.25], [0, 2]])
        #expect(c.hasSecondOrder)
        let quantities = c.expectations.map(\.quantity)
        #expect(quantities == [
            .secondPartial(first: 0, second: 0), .secondPartial(first: 0, second: 1),
            .secondPartial(first: 1, second: 0), .secondPartial(first: 1, second: 1),
            .hvp(direction: 0, input: 0), .hvp(direction: 1, input: 0), .hvp(direction: 1, input: 1),
        ])
        #expect(c.expectations[0].expected.value == -4)
        #expect(c.expectations[4].expected.value == -5.75)
        #expect(c.label(.secondPartial(first: 0, second: 1)) == "∂²f/∂x∂y")
        #expect(c.label(.secondPartial(first: 1, second: 1)) == "∂²f/∂y²")
        #expect(c.label(.hvp(direction: 0, input: 1)) == "(∇²f v)_y (v: x = 0.5, y = -1.25)")
        #expect(c.hvpCotangents == [[1], [1]] && c.hvpCotangent(-1) == [1])
    }

    @Test("hvp on a vector function: the cotangent weighs the outputs")
    func vectorHVP() throws {
        let text = """
            id: a
            title: t
            inputs: {r: 1.7, t: 0.6}
            outputs: {u: r*cos(t), v: r*sin(t)}
            expect:
              hvp: {direction: {t: 2.5}, cotangent: {v: 0.35}, values: {r: 0.7}}
            """
        let (cases, errors) = CaseLoader.load(text: text, path: "h.yaml")
        #expect(errors.isEmpty, "\(errors)")
        let c = try #require(cases.first)
        #expect(c.hvpDirections == [[0, 2.5]] && c.hvpCotangents == [[0, 0.35]])
        #expect(c.label(.hvp(direction: 0, input: 0)) == "(Σ u_k ∇²F_k v)_r (v: t = 2.5; u: v = 0.35)")
    }

    @Test("several cases per file, an error in one does not stop the others")
    func severalDocuments() throws {
        let text = "id: a\ntitle: t\ninputs: {x: 1}\noutput: x\n---\nid: b\ntitle: t\ninputs: {x: 1}\noutput: sine(x)\n---\nid: c\ntitle: t\ninputs: {y: 1}\noutput: y\n"
        let (cases, errors) = CaseLoader.load(text: text, path: "m.yaml")
        #expect(cases.map(\.id) == ["a", "c"])
        #expect(errors.map(\.location.description) == ["m.yaml:9:9"])
    }

    @Test("every bad input is reported at file:line:column with the line and a caret", arguments: [
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: sine(x)\n", 4, 9, "unknown function 'sine'"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: pow(x)\n", 4, 9, "pow takes 2 arguments, got 1"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x + z\n", 4, 13, "undefined name 'z'"),
        ("id: a\ntitle: t\ninputs: {x: 1}\nlet:\n  a: b + 1\n  b: x\noutput: a\n", 5, 6, "'b' is used before it is defined (line 6)"),
        ("id: a\ntitle: t\ninputs: {x: 1}\nlet:\n  x: 2\noutput: x\n", 5, 3, "shadows the input"),
        ("id: a\ntitle: t\ninputs: {x: 1}\nlet:\n  a: a + 1\noutput: a\n", 5, 6, "a let cannot use itself"),
        ("id: a\ntitle: t\ninputs: {sin: 1}\noutput: sin\n", 3, 10, "would shadow the function sin()"),
        ("id: a\ntitle: t\ninputs: {pi: 1}\noutput: pi\n", 3, 10, "would shadow the constant pi"),
        ("id: a\ntitle: t\ninputs: {x: abc}\noutput: x\n", 3, 13, "input 'x' must be a number literal"),
        ("id: a\ntitle: t\ninputs: {x: .inf}\noutput: x\n", 3, 13, "numbers must be finite"),
        ("id: a\ntitle: t\ninputs: {x: 1e999}\noutput: x\n", 3, 13, "out of range"),
        ("id: a\ntitle: t\ninputs: {x: \"2\"}\noutput: x\n", 3, 13, "not a quoted string"),
        ("id: a\ntitle: t\ninputs: {x: 1}\n", 1, 1, "missing 'output'"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x\nexpect: {values: {q: 1}}\n", 5, 19, "names 'q', which is not an input, let or output"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x\nexpect: {gradient: {y: 1}}\n", 5, 21, "gradient names 'y', which is not an input"),
        ("id: a\ntitle: t\ninputs: {x: 1, y: 2}\noutputs: {u: x, v: y}\nexpect:\n  jacobian: [[1, 0]]\n", 6, 13, "jacobian has 1 row, expected 2 rows"),
        ("id: a\ntitle: t\ninputs: {x: 1, y: 2}\noutputs: {u: x, v: y}\nexpect:\n  jacobian: [[1, 0], [0]]\n", 6, 22, "jacobian row 2 has 1 entry, expected 2"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutputs: {u: x}\nexpect: {gradient: {x: 1}}\n", 5, 10, "'gradient' is for a case with a scalar 'output'"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x\nexpect: {value: 1/3}\n", 5, 17, "quote an expression"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x\nexpect: {value: \"log(-x)\"}\n", 5, 17, "must be finite"),
        ("id: a\ntitle: t\ninputs: {x: 1}\nlet: {a: x}\noutput: x\nexpect: {value: \"a\"}\n", 6, 18, "expression over the inputs only"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x\nexpext: {}\n", 5, 1, "unknown key 'expext'; did you mean 'expect'?"),
        ("id: Bad_ID\ntitle: t\ninputs: {x: 1}\noutput: x\n", 1, 5, "must be lower-case letters"),
        ("id: a\ntitle: t\ninputs: {x: 1, x: 2}\noutput: x\n", 3, 16, "duplicate key 'x': already at line 3, column 10"),
        ("id: a\ntitle: t\ninputs: {x: 1\noutput: x\n", 4, 7, "YAML syntax"),
        ("- 1\n- 2\n", 1, 1, "a case must be a mapping"),
        ("id: a\ntitle: t\ninputs: {}\noutput: x\n", 3, 9, "'inputs' is empty"),
        ("id: a\ntitle: t\nkind: graph\ninputs: {x: 1}\noutput: x\n", 3, 7, "unknown kind 'graph'"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x\nexpect: {tangents: {values: {x: 1}}}\n", 5, 20, "tangents needs a 'seed'"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x\noutputs: {y: x}\n", 5, 10, "either 'output' or 'outputs'"),
        ("id: a\ntitle: t\nkinks: frameworks\ninputs: {x: 1}\noutput: relu(x)\n", 3, 8, "PyTorch and JAX differ at kinks"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: relu(x)\nkinks: tf\n", 5, 8, "unknown kink convention 'tf': one of x>=0, pytorch, jax"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: relu(x)\nkinks: [jax]\n", 5, 8, "kinks"),
        ("id: a\ntitle: t\ninputs: {x: 1, y: 2}\noutput: x*y\nexpect:\n  hessian: [[0, 1]]\n", 6, 12, "hessian has 1 row, expected 2 rows of 2 numbers"),
        ("id: a\ntitle: t\ninputs: {x: 1, y: 2}\noutput: x*y\nexpect:\n  hessian: [[0, 1], [1]]\n", 6, 21, "hessian row 2 has 1 entry, expected 2"),
        ("id: a\ntitle: t\ninputs: {x: 1, y: 2}\noutput: x*y\nexpect:\n  hessian: {x: 1}\n", 6, 12, "hessian must be a list of rows"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutputs: {u: x}\nexpect: {hessian: [[0]]}\n", 5, 10, "'hessian' is for a case with a scalar 'output'"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutputs: {u: x}\nexpect: {hvp: {direction: {x: 1}, values: {x: 0}}}\n", 5, 15, "hvp on a case with 'outputs' needs a 'cotangent'"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutputs: {u: x}\nexpect: {hvp: {direction: {x: 1}, cotangent: {w: 1}, values: {x: 0}}}\n", 5, 47, "cotangent names 'w', which is not an output (u)"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutputs: {u: x}\nexpect: {hvp: {direction: {x: 1}, cotangent: {u: 0}, values: {x: 0}}}\n", 5, 46, "the hvp cotangent is zero"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x^3\nexpect: {hvp: {values: {x: 6}}}\n", 5, 15, "hvp needs a 'direction'"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x^3\nexpect: {hvp: {direction: {x: 1}}}\n", 5, 15, "hvp needs 'values'"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x^3\nexpect: {hvp: {direction: {x: 0}, values: {x: 6}}}\n", 5, 27, "the hvp direction is zero"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x^3\nexpect: {hvp: {direction: {y: 1}, values: {x: 6}}}\n", 5, 28, "direction names 'y', which is not an input"),
        ("id: a\ntitle: t\ninputs: {x: 1}\nlet: {a: x^2}\noutput: a*x\nexpect: {hvp: {direction: {x: 1}, values: {a: 6}}}\n", 6, 44, "hvp values name 'a', which is not an input"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x^3\nexpect: {hvp: {direction: {x: 1}, values: {x: 6}, seed: {x: 1}}}\n", 5, 51, "unknown key 'seed' in hvp"),
        ("id: a\ntitle: t\ninputs: {x: 1}\noutput: x^3\nexpect: {hesian: [[6]]}\n", 5, 10, "did you mean 'hessian'?"),
        ("   \n\n  \n", 1, 1, "the file is empty"),
        ("# only a comment\n", 1, 1, "holds no case"),
    ] as [(String, Int, Int, String)])
    func errors(text: String, line: Int, column: Int, message: String) throws {
        let error = try loadError(text)
        #expect(error.message.contains(message), "\(error)")
        #expect(error.location.line == line && error.location.column == column, "\(error)")
        #expect(error.description.hasPrefix("case.yaml:\(line):\(column): "))
        if line <= text.split(separator: "\n", omittingEmptySubsequences: false).count, !error.sourceLine.isEmpty {
            #expect(error.description.contains("\n \(line) | "))
            #expect(error.description.hasSuffix("^"))
        }
    }

    @Test("binary and non-UTF-8 files are refused with the byte's position")
    func binaryAndEncoding() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adverify-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("binary.yaml")
        try Data([0x69, 0x64, 0x3A, 0x20, 0x00, 0x01]).write(to: binary)
        let latin1 = directory.appendingPathComponent("latin1.yaml")
        try Data("id: a\ntitle: caf".utf8 + [0xE9] + "\n".utf8).write(to: latin1)
        let b = try #require(CaseLoader.load(path: binary.path).errors.first)
        #expect(b.message.contains("binary content") && b.location.line == 1 && b.location.column == 5)
        let l = try #require(CaseLoader.load(path: latin1.path).errors.first)
        #expect(l.message.contains("not UTF-8") && l.message.contains("0xE9") && l.location.line == 2 && l.location.column == 11)
        let missing = try #require(CaseLoader.load(path: directory.appendingPathComponent("nope.yaml").path).errors.first)
        #expect(missing.message.contains("no such file"))
    }

    @Test("absurdly nested YAML is refused before the composer recurses")
    func deepYAML() throws {
        let text = "id: a\ntitle: t\ninputs: {x: 1}\noutput: x\ntags: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        let error = try loadError(text)
        #expect(error.message.contains("nested more than"))
        #expect(error.location.line == 5)
        let dashes = String(repeating: "- ", count: 50_000) + "x\n"
        let nested = try loadError(dashes)
        #expect(nested.message.contains("nested more than 64 levels"))
        #expect(nested.location.line == 1 && nested.location.column == 129)
    }

    @Test("ids are unique across the files of a run; other files still load")
    func duplicateIDs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adverify-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "id: a\ntitle: t\ninputs: {x: 1}\noutput: x\n".write(to: directory.appendingPathComponent("1.yaml"), atomically: true, encoding: .utf8)
        try "id: b\ntitle: t\ninputs: {x: 1}\noutput: x\n---\nid: a\ntitle: t\ninputs: {x: 1}\noutput: x\n"
            .write(to: directory.appendingPathComponent("sub/2.yml"), atomically: true, encoding: .utf8)
        try "not: [valid".write(to: directory.appendingPathComponent("3.yaml"), atomically: true, encoding: .utf8)
        try "ignored".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let catalog = Catalog.load(paths: [directory.path])
        #expect(catalog.cases.map(\.id) == ["a", "b"])
        #expect(catalog.files.count == 3)
        #expect(catalog.errors.count == 2)
        let duplicate = try #require(catalog.errors.first { $0.message.contains("duplicate id") })
        #expect(duplicate.location.file.hasSuffix("sub/2.yml") && duplicate.location.line == 6)
        #expect(duplicate.message.contains("1.yaml:1:5"))
    }
}
