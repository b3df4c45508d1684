// swift-tools-version: 6.1
// A Swift ML user's package: a differentiable model with a custom @derivative for a numerically
// stable softplus and logSumExp, checked with ADCheck from its own `swift test`.
// Needs a toolchain with `_Differentiation` (the swift.org toolchains); no unsafe flags.
import PackageDescription

let package = Package(
    name: "DifferentiableModelExample",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "adverify", path: "../.."),
    ],
    targets: [
        .target(name: "Model"),
        .testTarget(
            name: "ModelTests",
            dependencies: ["Model", .product(name: "ADCheck", package: "adverify")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
