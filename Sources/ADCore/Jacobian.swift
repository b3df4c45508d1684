/// An `m × n` Jacobian, row-major: rows follow the graph's outputs, columns its inputs.
public struct Jacobian: Sendable, Equatable, Codable {
    public let rows: Int
    public let columns: Int
    /// Entry `(i, j)` at `i * columns + j`.
    public var entries: [Double]

    public init(rows: Int, columns: Int, entries: [Double]) {
        precondition(entries.count == rows * columns, "Jacobian entries do not match its shape")
        self.rows = rows
        self.columns = columns
        self.entries = entries
    }

    /// `∂y_row / ∂x_column`.
    @inlinable public subscript(row: Int, column: Int) -> Double {
        get { entries[row * columns + column] }
        set { entries[row * columns + column] = newValue }
    }

    /// The rows as arrays, as a case file writes them.
    public var rowArrays: [[Double]] {
        (0..<rows).map { Array(entries[$0 * columns ..< ($0 + 1) * columns]) }
    }
}
