import ADCatalog
import ADVerify
import Testing

@Test func smoke() async throws {
    let (cases, errors) = CaseLoader.load(path: "/tmp/smoke/peharz.yaml")
    for e in errors { print(e) }
    for c in cases {
        let r = Runner().verify(c)
        print(c.id, r.verdict, r.worstAgreeingDigits ?? -1, r.error ?? "")
        for row in r.rows {
            print("  ", row.quantity, row.expected?.text ?? "-", row.forward ?? .nan, row.reverse ?? .nan, row.oracles.map { "\($0.method.rawValue)=\($0.value) \($0.verdict)" }, row.agreeingDigits ?? -1, row.verdict)
        }
        for ch in r.checks where ch.comparison.verdict != .pass { print("   !", ch.message) }
    }
}
