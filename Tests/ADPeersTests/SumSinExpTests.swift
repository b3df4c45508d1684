import Testing
@testable import ADPeers
