/// The distance from `computed` to `reference` in units of the reference's last place.
///
/// Non-finite values: equal non-finite values (both NaN, or the same infinity) are 0 apart,
/// any other pairing with a non-finite value is infinitely far.
public func ulps(_ computed: Double, from reference: Double) -> Double {
    if reference.isNaN || computed.isNaN { return reference.isNaN && computed.isNaN ? 0 : .infinity }
    if reference.isInfinite || computed.isInfinite { return computed == reference ? 0 : .infinity }
    if computed == reference { return 0 }
    let unit = reference == 0 ? Double.leastNonzeroMagnitude : reference.ulp
    return abs(computed - reference) / unit
}

/// Whether `value` matches a number as printed: `|value - literal| <= 0.5 * 10^(-d)`, where
/// `d` is the count of digits after the decimal point (scientific notation: mantissa
/// decimals minus the exponent; an integer has d = 0). So textbook values rounded to
/// 3 decimals are checked to exactly that precision.
public func matchesPrinted(_ value: Double, _ literal: String) -> Bool {
    guard let expected = Double(literal) else { return false }
    let lower = literal.lowercased()
    let mantissa = lower.split(separator: "e", maxSplits: 1).first.map(String.init) ?? lower
    let exponent = lower.contains("e") ? Int(lower.split(separator: "e")[1]) ?? 0 : 0
    let decimals = mantissa.split(separator: ".", maxSplits: 1).dropFirst().first?.count ?? 0
    let d = decimals - exponent
    var tolerance = 0.5
    if d > 0 { for _ in 0..<d { tolerance /= 10 } } else if d < 0 { for _ in 0 ..< -d { tolerance *= 10 } }
    return abs(value - expected) <= tolerance * (1 + 1e-12)
}
