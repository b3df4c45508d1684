import Testing
@testable import ADCore

@Test func moduleLoads() { #expect(Bool(true)) }
