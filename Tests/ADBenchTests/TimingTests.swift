import Testing
@testable import ADBench
