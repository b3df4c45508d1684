// The same checks from an XCTestCase: with no Swift Testing test running, ADCheck reports a
// failure through XCTFail at the caller's file and line.
import ADCheck
import Loss
import XCTest

final class LossGradientXCTests: XCTestCase {
    /// A failure XCTest was asked to record while `capturing`.
    struct RecordedFailure {
        var description: String
        var file: String
        var line: Int
    }

    /// While true, failures are kept in `captured` instead of failing the test, so a test can
    /// assert that a wrong gradient produced one, where and with what message
    /// (swift-corelibs-xctest has no `XCTExpectFailure`). Every other failure fails the test.
    private var capturing = false
    private var captured: [RecordedFailure] = []

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool) {
        if capturing {
            captured.append(RecordedFailure(description: description, file: filePath, line: lineNumber))
        } else {
            super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
        }
    }

    /// The failures `body` makes XCTest record.
    private func failures(of body: () throws -> Void) rethrows -> [RecordedFailure] {
        captured = []
        capturing = true
        defer { capturing = false }
        try body()
        return captured
    }

    let options = CheckOptions(inputNames: ["w0", "w1", "w2"])

    func testRightGradientRecordsNoFailure() throws {
        let result = checkGradient(of: fit.loss, gradient: fit.gradient, at: w, options: options)
        XCTAssertEqual(result.verdict, .pass, "\(result)")
        XCTAssertEqual(try requireGradient(of: fit.loss, gradient: fit.gradient, at: w, options: options).verdict, .pass)
    }

    func testSlipFailsAtTheCallersLine() {
        var line = 0
        var result: CheckResult?
        let recorded = failures {
            line = #line + 1
            result = checkGradient(of: fit.loss, gradient: fit.gradientWithSlip, at: w, options: options)
        }
        XCTAssertEqual(result?.verdict, .fail)
        XCTAssertEqual(recorded.count, 1, "\(recorded)")
        XCTAssertEqual(recorded.first?.line, line)
        XCTAssertEqual(recorded.first?.file, "\(#filePath)")
        let message = recorded.first?.description ?? ""
        XCTAssertTrue(message.contains("gradient check (Double, 3 entries, "), message)
        XCTAssertTrue(message.contains("∂f/∂w2: yours -0.5930065126, 4-point central -1.545733676 ± "), message)
        XCTAssertTrue(message.contains("the references agree with each other and your value is off by 0.9527 (0.62 relative)"), message)
        XCTAssertFalse(message.contains("∂f/∂w0"), message)
    }

    func testRequireGradientFailsAndThrows() {
        var line = 0
        var thrown: CheckFailure?
        var reached = false
        let recorded = failures {
            do throws(CheckFailure) {
                line = #line + 1
                try requireGradient(of: fit.loss, gradient: fit.gradientWithSlip, at: w, options: options)
                reached = true
            } catch {
                thrown = error
            }
        }
        XCTAssertFalse(reached, "the line after a failing requireGradient ran")
        XCTAssertEqual(recorded.map(\.line), [line])
        XCTAssertEqual(thrown?.result.verdict, .fail)
        XCTAssertEqual(thrown?.description, thrown?.result.description)
        XCTAssertTrue(recorded.first?.description.contains(thrown?.description ?? "no error thrown") == true, "\(recorded)")
    }
}
