import PropertyBased

/// A seeded generator for tests: every random seed, tangent and cotangent is reproducible.
public func seededGenerator(_ seed: UInt64) -> Xoshiro {
    Xoshiro(seed: (seed, seed &* 0x9E37_79B9_7F4A_7C15, ~seed, seed ^ 0xD1B5_4A32_D192_ED03))
}

extension RandomNumberGenerator {
    /// A non-unit random scale: magnitude in [0.3, 3], random sign.
    public mutating func nonUnit() -> Double {
        let m = Double.random(in: 0.3...3.0, using: &self)
        return Bool.random(using: &self) ? m : -m
    }
}
