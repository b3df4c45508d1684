import Testing
@testable import ADVerify

@Test func moduleLoads() { #expect(Bool(true)) }
