/// SplitMix64 seeded by a string or a number: the reproducible random numbers of cases
/// (network weights and data from a seed, cotangents, the dot-product test's vectors).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Seeded by the FNV-1a hash of `seed` (a case id), so reports are reproducible.
    public init(seed: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        state = h
    }

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`, 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in `[low, high)`.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// A non-unit magnitude in `[0.5, 1.5)` with a random sign.
    public mutating func nonUnit() -> Double {
        let magnitude = 0.5 + unit()
        return next() & 1 == 0 ? magnitude : -magnitude
    }
}
