// `verification.json`: the run, for machines — the `RunResult` value, encoded.
import ADVerify
import Foundation

/// Encodes a run as JSON: sorted keys and pretty printed, so two reports diff line by line.
///
/// Estimates can be NaN or infinite (an oracle with no value, a derivative at a pole). JSON has
/// no such numbers, so they are written as the strings `"nan"`, `"inf"` and `"-inf"`; decode
/// with `JSONReport.decoder()` (or the same `nonConformingFloatDecodingStrategy`) to read them
/// back. The layout is versioned by `RunResult.schemaVersion`.
public enum JSONReport {
    public static func render(_ run: RunResult) throws -> Data {
        try encoder().encode(run)
    }

    /// Reads a report back, e.g. to compare with a baseline.
    public static func decode(_ data: Data) throws -> RunResult {
        try decoder().decode(RunResult.self, from: data)
    }

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
