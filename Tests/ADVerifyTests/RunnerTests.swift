import ADCatalog
import ADCore
import ADVerify
import Foundation
import Testing

/// The single case in `yaml`.
func loadCase(_ yaml: String) throws -> Case {
    let (cases, errors) = CaseLoader.load(text: yaml, path: "test.yaml")
    #expect(errors.isEmpty, "\(errors)")
    return try #require(cases.first)
}

let peharz = """
    id: peharz
    title: Peharz's backward pass
    inputs: {x: 2}
    let: {a: x^2, b: exp(a), c: a + b, d: sqrt(c), e: cos(c)}
    output: d + e
    expect:
      value: 7.194
      values: {a: 4, b: 54.598}
      gradient: {x: -182.87}
      adjoints: {c: -0.822, b: -0.822, a: -45.717}
      tangents: {seed: {x: 1}, values: {a: 4, b: 218.393}}
    """

@Suite("Runner")
struct RunnerTests {
    @Test("a correct case passes every check, and every oracle agrees to many digits")
    func peharzPasses() throws {
        var runner = Runner()
        runner.traces = true
        let result = runner.verify(try loadCase(peharz))
        #expect(result.verdict == .pass)
        #expect(result.failures.isEmpty, "\(result.failures.map(\.message))")
        #expect(result.error == nil)
        let partial = try #require(result.rows.first { $0.quantity == "∂f/∂x" })
        // Five oracles, each once: allSatisfy below is not vacuous.
        #expect(Runner.defaultOracles.count == 5)
        #expect(partial.oracles.count == Runner.defaultOracles.count)
        #expect(Set(partial.oracles.map(\.requested)) == Set(Runner.defaultOracles))
        #expect(partial.oracles.allSatisfy { $0.verdict == .pass })
        #expect((partial.agreeingDigits ?? 0) >= 14)
        // Every kind of check ran: 8 expectations, forward vs reverse, 5 oracles on the
        // partial and 5 on each tangent, the dot-product test.
        #expect(result.checks.count { $0.kind == .expectation } == 9)
        #expect(result.checks.count { $0.kind == .modes } == 1)
        #expect(result.checks.count { $0.kind == .oracle } == 15)
        #expect(result.checks.count { $0.kind == .dotProduct } == 1)
        #expect(result.trace?.row("c")?.adjoint.map { abs($0 + 0.8222836874831592) < 1e-15 } == true)
    }

    @Test("one wrong expected number fails its case, and the check says what differed")
    func wrongExpectation() throws {
        let wrong = peharz.replacingOccurrences(of: "gradient: {x: -182.87}", with: "gradient: {x: -182.80}")
        let result = Runner().verify(try loadCase(wrong))
        #expect(result.verdict == .fail)
        let failure = try #require(result.failures.first)
        #expect(result.failures.count == 1)
        #expect(failure.kind == .expectation && failure.quantity == "∂f/∂x")
        #expect(failure.message.contains("expected -182.80") && failure.message.contains("-182.869807"))
        #expect(failure.location?.line == 9)
        // Whose number is wrong: AD and every reference agree, the expected number does not.
        #expect(failure.message.contains("; AD and 5 references agree on -182.8698073 (± "), "\(failure.message)")
        #expect(failure.message.hasSuffix("): the expected -182.80 is off by 0.06981"), "\(failure.message)")
    }

    @Test("an integer literal is exact: 2 no longer passes 2.3, nor 0 pass 0.4; a decimal literal keeps its printed digits")
    func exactIntegers() throws {
        // d/dx x^2 at 1.15 is 2.3: as printed, `2` would have passed it (± 0.5).
        let wrong = Runner().verify(try loadCase("id: i\ntitle: t\ninputs: {x: 1.15}\noutput: x^2\nexpect: {gradient: {x: 2}}\n"))
        #expect(wrong.verdict == .fail)
        let failure = try #require(wrong.failures.first)
        #expect(failure.message.hasPrefix("∂f/∂x: expected 2 (± 2.01e-10), computed 2.3"), "\(failure.message)")
        // d/dx sin(x) at 1.16 is 0.398: `0` would have passed it.
        let zero = Runner().verify(try loadCase("id: z\ntitle: t\ninputs: {x: 1.16}\noutput: sin(x)\nexpect: {gradient: {x: 0}}\n"))
        #expect(zero.verdict == .fail)
        // Exact where the derivative is exactly an integer; `2.3` keeps its half unit (± 0.05).
        let right = Runner().verify(try loadCase("id: r\ntitle: t\ninputs: {x: 1, y: 1.15}\noutput: x^2 + y^2\nexpect: {gradient: {x: 2, y: 2.3}}\n"))
        #expect(right.verdict == .pass, "\(right.failures.map(\.message))")
        let forms = right.rows.compactMap(\.expected).map(\.form)
        #expect(forms == ["exact", "printed"])
    }

    @Test("an as-printed number looser than 1 % of its value gets one notice per case, with the fix")
    func looseNotice() throws {
        let loose = Runner().verify(try loadCase("id: l\ntitle: t\ninputs: {x: 0.5}\noutput: x^2\nexpect: {value: 0.25, gradient: {x: 1.0}}\n"))
        #expect(loose.verdict == .pass)
        let notices = try #require(loose.notices)
        #expect(notices.count == 1)
        // 0.25 as printed is ± 0.005, 2 % of it; 1.0 is ± 0.05, 5 %.
        #expect(notices[0].contains("these expected numbers match anything within more than 1 % of the value: f = 0.25 (± 0.005, line 5), ∂f/∂x = 1.0 (± 0.05, line 5)"), "\(notices[0])")
        #expect(notices[0].contains("write more digits, or quote an expression"))
        let tight = Runner().verify(try loadCase("id: t\ntitle: t\ninputs: {x: 0.5}\noutput: x^2\nexpect: {value: 0.250, gradient: {x: 1}}\n"))
        #expect(tight.notices == nil)
    }

    @Test("a wrong rule under a right expected number: the references agree with each other, and AD is wrong")
    func wrongRule() throws {
        var runner = Runner()
        // exp's partial doubled: forward and reverse share it, the references see the true f.
        runner.ruleMutation = RuleMutation(op: .exp, kind: .doubled)
        let result = runner.verify(try loadCase(peharz))
        #expect(result.verdict == .fail)
        let failure = try #require(result.failures.first { $0.kind == .expectation && $0.quantity == "∂f/∂x" })
        #expect(failure.message.contains("; 5 references agree with each other on -182.8698073 (± "), "\(failure.message)")
        #expect(failure.message.contains("the derivative is wrong; the expected number agrees with the references"), "\(failure.message)")
    }

    @Test("at a kink the oracles are inconclusive, not failed, and AD's convention passes")
    func kink() throws {
        let result = Runner().verify(try loadCase("id: k\ntitle: t\ninputs: {x: 0}\noutput: relu(x) + x^2\nexpect: {gradient: {x: 1}}\n"))
        #expect(result.verdict == .pass)
        let row = try #require(result.rows.first { $0.kind == .partial })
        // Every default oracle but the complex step (relu is not analytic), each once, so the
        // allSatisfy is over four oracles, not vacuously over none.
        #expect(row.oracles.count == 4)
        #expect(Set(row.oracles.map(\.requested)) == [.gslCentral, .central, .fivePoint, .richardson])
        #expect(row.oracles.allSatisfy { $0.verdict.isInconclusive })
        #expect(!row.oracles.contains { $0.requested == .complexStep })
    }

    @Test("traces come with --traces or a case's trace: true, and not otherwise")
    func traces() throws {
        let plain = try loadCase("id: p\ntitle: t\ninputs: {x: 0.4}\noutput: sin(x) * x\n")
        let asking = try loadCase("id: a\ntitle: t\ntrace: true\ninputs: {x: 0.4}\noutput: sin(x) * x\n")
        var runner = Runner()
        #expect(runner.verify(plain).trace == nil)
        let trace = try #require(runner.verify(asking).trace)
        #expect(trace.rows.count == 3)
        runner.traces = true
        #expect(runner.verify(plain).trace != nil)
    }

    @Test("a case's kinks: wins over the run's; without one the run's convention applies")
    func kinkConventions() throws {
        // 1.7 relu(x) + y at x = 0: ∂/∂x is 1.7 under x>=0 and 0 under pytorch and jax.
        let pytorchCase = try loadCase("id: k\ntitle: t\nkinks: pytorch\ninputs: {x: 0, y: 0.4}\noutput: 1.7 * relu(x) + y\nexpect: {gradient: {x: 0, y: 1}}\n")
        let plain = try loadCase("id: p\ntitle: t\ninputs: {x: 0, y: 0.4}\noutput: 1.7 * relu(x) + y\nexpect: {gradient: {x: 0, y: 1}}\n")
        var runner = Runner()
        #expect(runner.verify(pytorchCase).verdict == .pass)
        #expect(runner.verify(pytorchCase).kinks == .pytorch)
        #expect(runner.verify(plain).verdict == .fail)
        #expect(runner.verify(plain).kinks == .nonNegativeBranch)
        runner.kinkConvention = .jax
        #expect(runner.verify(plain).verdict == .pass)
        #expect(runner.verify(plain).kinks == .jax)
        runner.kinkConvention = .nonNegativeBranch
        #expect(runner.verify(pytorchCase).verdict == .pass)
        // A smooth case records no convention.
        #expect(runner.verify(try loadCase("id: s\ntitle: t\ninputs: {x: 0.3}\noutput: sin(x)\n")).kinks == nil)
    }

    @Test("a failure at a kink names the convention in force, the others' values and the one-sided interval")
    func failureAtKink() throws {
        // Written for the slides (x>=0: 1.7), run as pytorch (0); one-sided derivatives 0 and 1.7.
        let result = Runner().verify(try loadCase("id: k\ntitle: t\nkinks: pytorch\ninputs: {x: 0, y: 0.4}\noutput: 1.7 * relu(x) + y\nexpect: {gradient: {x: 1.7}}\n"))
        #expect(result.verdict == .fail)
        let failure = try #require(result.failures.first)
        #expect(failure.message.contains("AD follows the convention in force, pytorch, which gives 0 here (x>=0 gives 1.7, jax gives 0)"), "\(failure.message)")
        #expect(failure.message.contains("the one-sided derivatives are 0 (from the left) and 1.7 (from the right)"), "\(failure.message)")
        #expect(failure.message.contains("the expected 1.7 is what x>=0 gives; add 'kinks: x>=0' to the case, or expect 0"), "\(failure.message)")
        // A number outside the one-sided interval is wrong under every convention.
        let outside = Runner().verify(try loadCase("id: m\ntitle: t\ninputs: {x: 0.75, y: 0.75}\noutput: max(x, y)\nexpect: {gradient: {x: 2, y: 0}}\n"))
        let wrong = try #require(outside.failures.first)
        #expect(wrong.message.contains("pytorch gives 0.5, jax gives 0.5"), "\(wrong.message)")
        #expect(wrong.message.contains("lies outside that interval, so it is wrong under every convention"), "\(wrong.message)")
        // Away from a kink the message is the usual one.
        let smooth = Runner().verify(try loadCase("id: r\ntitle: t\ninputs: {x: 0.5}\noutput: relu(x)\nexpect: {gradient: {x: 2}}\n"))
        let smoothFailure = try #require(smooth.failures.first)
        #expect(!smoothFailure.message.contains("at a kink"), "\(smoothFailure.message)")
    }

    @Test("near a kink, an oracle whose stencil reaches across it is inconclusive, not failed, and says where")
    func nearKink() throws {
        // The kink of relu lies 1e-7 from x = 0.4; GSL central's steps (about 1e-5) straddle it
        // and, with the small jump of 1e-2 in slope, its error estimate does not notice.
        let c = try loadCase("id: k\ntitle: t\ninputs: {x: 0.4}\nlet: {a: relu(x - 0.4000001)}\noutput: 1e-2*a + x^2\n")
        let result = Runner(oracleMethods: [.gslCentral]).verify(c)
        #expect(result.verdict == .pass, "\(result.failures.map(\.message))")
        let oracle = try #require(result.checks.first { $0.kind == .oracle })
        guard case .inconclusive(let reason) = oracle.comparison.verdict else {
            Issue.record("GSL central across the kink: \(oracle.comparison.verdict), expected inconclusive")
            return
        }
        #expect(reason.contains("the kink of a lies 1e-07 away") || reason.contains("the kink of a lies 9.99"), "\(reason)")
        #expect(reason.contains("straddles two branches"), "\(reason)")
    }

    @Test("a NaN at the case's point names the node and its op")
    func nonFinite() throws {
        let result = Runner().verify(try loadCase("id: n\ntitle: t\ninputs: {x: -1}\nlet: {a: x + 0.5}\noutput: log(a) + 1\n"))
        #expect(result.verdict == .fail)
        let error = try #require(result.error)
        #expect(error.contains("node v3 = log(a) (op log) is NaN: log(-0.5) is outside the domain of log"))
        // Located where `log` is written, with the line and a caret.
        let diagnostic = try #require(result.diagnostic)
        #expect(diagnostic.location.line == 5 && diagnostic.location.column == 9)
        #expect(diagnostic.description.contains(" 5 | output: log(a) + 1\n   |         ^"))
    }

    @Test("Jacobians: forward and reverse agree entry by entry, expectations per entry")
    func jacobian() throws {
        let c = try loadCase("""
            id: polar
            title: polar to cartesian
            inputs: {r: 2, t: 0.3}
            outputs: {u: r*cos(t), v: r*sin(t), w: r^2}
            expect:
              values: {u: "r*cos(t)", w: 4}
              jacobian: [["cos(t)", "-r*sin(t)"], ["sin(t)", "r*cos(t)"], ["2*r", 0]]
            """)
        let result = Runner().verify(c)
        #expect(result.verdict == .pass, "\(result.failures.map(\.message))")
        #expect(result.checks.count { $0.kind == .modes } == 6)
        #expect(result.rows.filter { $0.kind == .partial }.map(\.quantity) == ["∂u/∂r", "∂u/∂t", "∂v/∂r", "∂v/∂t", "∂w/∂r", "∂w/∂t"])
        #expect(result.outputs.map(\.name) == ["u", "v", "w"])
    }

    @Test("a sum of 100,000 terms: the bounds grow with the graph's rounding, no false failure")
    func largeGraph() throws {
        let sum = Array(repeating: "sin(x)*x", count: 100_000).joined(separator: " + ")
        let result = Runner().verify(try loadCase("id: big\ntitle: t\ninputs: {x: 0.5}\noutput: \(sum)\n"))
        #expect(result.verdict == .pass, "\(result.failures.map(\.message))")
        #expect(result.nodeCount == 300_000)
    }

    @Test("a run keeps catalogue order and is reproducible")
    func run() async throws {
        var cases: [Case] = []
        for k in 0..<12 {
            cases.append(try loadCase("id: c\(k)\ntitle: t\ninputs: {x: \(0.1 * Double(k + 1))}\noutput: sin(x)*exp(x)\n"))
        }
        let catalog = Catalog(files: ["test.yaml"], cases: cases, errors: [])
        let tool = ToolInfo(adverify: "test", gsl: gslVersion, swift: "6", platform: "test")
        let first = await Runner().run(catalog, tool: tool, paths: ["test.yaml"])
        let second = await Runner().run(catalog, tool: tool, paths: ["test.yaml"])
        #expect(first.cases.map(\.id) == (0..<12).map { "c\($0)" })
        #expect(first.exitCode == 0)
        #expect(first.summary.passedCases == 12)
        let dot1 = first.cases.map { $0.checks.last?.comparison.value }
        let dot2 = second.cases.map { $0.checks.last?.comparison.value }
        #expect(dot1 == dot2)
        #expect(gslVersion.split(separator: ".").count >= 2)
    }
}
