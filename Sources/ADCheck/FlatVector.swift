// The few lines a Swift user writes so ADCheck can read and perturb a differentiable value:
// its entries as a flat list of numbers, in a fixed order.
#if canImport(_Differentiation)
import _Differentiation

/// A value that is a list of real numbers in a fixed order: a scalar, a SIMD vector, an array of
/// them. ADCheck reads a plain value's entries (a function's result, a point) through it and
/// builds a value of the same shape from entries.
///
/// Shipped for `Double`, `Float`, `SIMD2`/`SIMD3`/`SIMD4`/`SIMD8`/`SIMD16` of either, and
/// `Array` and `Array.DifferentiableView` of any `FlatVector` (so `[Double]`, `[Float]`,
/// `[SIMD4<Float>]` and their tangents). Requirements:
/// - `flatValues`: the entries, converted to Double (exactly, from Float or Double), in order;
/// - `flatCount`: `flatValues.count`;
/// - `init(flatValues:like:)`: the value of `template`'s shape with these entries, rounded to
///   `FlatScalar` (`flatValues.count == template.flatCount`).
public protocol FlatVector {
    /// The precision the entries are stored in (`Float` or `Double`).
    associatedtype FlatScalar: BinaryFloatingPoint
    var flatCount: Int { get }
    var flatValues: [Double] { get }
    init(flatValues: [Double], like template: Self)
}

/// A `Differentiable` value whose tangent vectors ADCheck can read and build, entry by entry.
///
/// ADCheck perturbs a value `x` along its `i`-th tangent direction as
/// ```
/// x.move(by: x.tangentVector(flatValues: δ e_i))
/// ```
/// and reads a gradient `g: TangentVector` as `x.flatValues(of: g)`, so the check sees a
/// function of `tangentCount` real numbers. Conforming a model's parameters takes a few lines
/// (the synthesized `TangentVector` cannot be extended, so the model itself answers for it):
/// ```swift
/// struct Model: Differentiable { var w: [Double]; var b: Double }
///
/// extension Model: CheckableDifferentiable {
///     func flatValues(of t: TangentVector) -> [Double] { w.flatValues(of: t.w) + [t.b] }
///     func tangentVector(flatValues v: [Double]) -> TangentVector {
///         TangentVector(w: w.tangentVector(flatValues: Array(v[..<w.count])), b: v[w.count])
///     }
/// }
/// ```
/// Shipped for `Double`, `Float`, SIMD vectors of them and arrays of any
/// `CheckableDifferentiable` (their tangent is `Array.DifferentiableView`). A tangent with no
/// entries where the value has some (the `.zero` of an array is empty) reads as zeros.
///
/// `CheckScalar` (default `Double`) is the precision the value is computed in; a model of
/// `Float` parameters sets `typealias CheckScalar = Float`. A check runs in the coarsest
/// precision of its arguments and result, so a `Float` loss of such a model is checked as Float
/// either way.
public protocol CheckableDifferentiable: Differentiable {
    associatedtype CheckScalar: BinaryFloatingPoint = Double
    /// The entries of a tangent vector at `self`, in a fixed order (`tangentCount` of them).
    func flatValues(of tangent: TangentVector) -> [Double]
    /// The tangent vector at `self` with these entries (`flatValues.count == tangentCount`).
    func tangentVector(flatValues: [Double]) -> TangentVector
}

extension CheckableDifferentiable {
    /// How many real numbers a tangent vector at `self` has: `flatValues(of: .zero).count`.
    public var tangentCount: Int { flatValues(of: .zero).count }
}

extension CheckableDifferentiable where Self: FlatVector, TangentVector == Self {
    public func flatValues(of tangent: Self) -> [Double] { tangent.flatValues }
    public func tangentVector(flatValues: [Double]) -> Self { Self(flatValues: flatValues, like: self) }
}

// MARK: Scalars

extension Double: FlatVector {
    public typealias FlatScalar = Double
    public var flatCount: Int { 1 }
    public var flatValues: [Double] { [self] }
    public init(flatValues: [Double], like template: Double) { self = flatValues[0] }
}

extension Double: CheckableDifferentiable {
    public typealias CheckScalar = Double
}

extension Float: FlatVector {
    public typealias FlatScalar = Float
    public var flatCount: Int { 1 }
    public var flatValues: [Double] { [Double(self)] }
    public init(flatValues: [Double], like template: Float) { self = Float(flatValues[0]) }
}

extension Float: CheckableDifferentiable {
    public typealias CheckScalar = Float
}

// MARK: SIMD vectors

extension SIMD where Scalar: BinaryFloatingPoint {
    var simdFlatValues: [Double] { indices.map { Double(self[$0]) } }

    init(simdFlatValues values: [Double]) {
        self.init()
        for i in indices { self[i] = Scalar(values[i]) }
    }
}

extension SIMD2: FlatVector where Scalar: BinaryFloatingPoint {
    public typealias FlatScalar = Scalar
    public var flatCount: Int { scalarCount }
    public var flatValues: [Double] { simdFlatValues }
    public init(flatValues: [Double], like template: Self) { self.init(simdFlatValues: flatValues) }
}

extension SIMD2: CheckableDifferentiable where Scalar: BinaryFloatingPoint & Differentiable, Scalar.TangentVector == Scalar {
    public typealias CheckScalar = Scalar
}

extension SIMD3: FlatVector where Scalar: BinaryFloatingPoint {
    public typealias FlatScalar = Scalar
    public var flatCount: Int { scalarCount }
    public var flatValues: [Double] { simdFlatValues }
    public init(flatValues: [Double], like template: Self) { self.init(simdFlatValues: flatValues) }
}

extension SIMD3: CheckableDifferentiable where Scalar: BinaryFloatingPoint & Differentiable, Scalar.TangentVector == Scalar {
    public typealias CheckScalar = Scalar
}

extension SIMD4: FlatVector where Scalar: BinaryFloatingPoint {
    public typealias FlatScalar = Scalar
    public var flatCount: Int { scalarCount }
    public var flatValues: [Double] { simdFlatValues }
    public init(flatValues: [Double], like template: Self) { self.init(simdFlatValues: flatValues) }
}

extension SIMD4: CheckableDifferentiable where Scalar: BinaryFloatingPoint & Differentiable, Scalar.TangentVector == Scalar {
    public typealias CheckScalar = Scalar
}

extension SIMD8: FlatVector where Scalar: BinaryFloatingPoint {
    public typealias FlatScalar = Scalar
    public var flatCount: Int { scalarCount }
    public var flatValues: [Double] { simdFlatValues }
    public init(flatValues: [Double], like template: Self) { self.init(simdFlatValues: flatValues) }
}

extension SIMD8: CheckableDifferentiable where Scalar: BinaryFloatingPoint & Differentiable, Scalar.TangentVector == Scalar {
    public typealias CheckScalar = Scalar
}

extension SIMD16: FlatVector where Scalar: BinaryFloatingPoint {
    public typealias FlatScalar = Scalar
    public var flatCount: Int { scalarCount }
    public var flatValues: [Double] { simdFlatValues }
    public init(flatValues: [Double], like template: Self) { self.init(simdFlatValues: flatValues) }
}

extension SIMD16: CheckableDifferentiable where Scalar: BinaryFloatingPoint & Differentiable, Scalar.TangentVector == Scalar {
    public typealias CheckScalar = Scalar
}

// MARK: Arrays

extension Array: FlatVector where Element: FlatVector {
    public typealias FlatScalar = Element.FlatScalar
    public var flatCount: Int { reduce(0) { $0 + $1.flatCount } }
    public var flatValues: [Double] { flatMap(\.flatValues) }

    /// Each element of `template` rebuilt from its run of `flatValues`.
    public init(flatValues: [Double], like template: [Element]) {
        var start = 0
        self = template.map { element in
            let end = start + element.flatCount
            defer { start = end }
            return Element(flatValues: Array<Double>(flatValues[start..<end]), like: element)
        }
    }
}

extension Array.DifferentiableView: FlatVector where Element: FlatVector {
    public typealias FlatScalar = Element.FlatScalar
    public var flatCount: Int { base.flatCount }
    public var flatValues: [Double] { base.flatValues }
    public init(flatValues: [Double], like template: Self) { self.init([Element](flatValues: flatValues, like: template.base)) }
}

extension Array: CheckableDifferentiable where Element: CheckableDifferentiable {
    public typealias CheckScalar = Element.CheckScalar

    /// Each element's tangent entries in order; an empty tangent (the array's `.zero`) reads as
    /// zeros. A tangent of another non-zero length gives its elements' entries as far as they go
    /// (the check then reports the wrong count).
    public func flatValues(of tangent: TangentVector) -> [Double] {
        if tangent.base.isEmpty { return flatMap { $0.flatValues(of: .zero) } }
        return zip(self, tangent.base).flatMap { $0.0.flatValues(of: $0.1) }
    }

    public func tangentVector(flatValues: [Double]) -> TangentVector {
        var start = 0
        return TangentVector(map { element in
            let end = start + element.tangentCount
            defer { start = end }
            return element.tangentVector(flatValues: Array<Double>(flatValues[start..<end]))
        })
    }
}

extension Array.DifferentiableView: CheckableDifferentiable where Element: CheckableDifferentiable {
    public typealias CheckScalar = Element.CheckScalar
    public func flatValues(of tangent: TangentVector) -> [Double] { base.flatValues(of: tangent) }
    public func tangentVector(flatValues: [Double]) -> TangentVector { base.tangentVector(flatValues: flatValues) }
}
#endif
