import Testing
@testable import ADNumeric

@Test func moduleLoads() { #expect(Bool(true)) }
