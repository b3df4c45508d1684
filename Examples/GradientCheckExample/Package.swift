// swift-tools-version: 6.1
// A user's package that checks its hand-written gradients with ADCheck from its own `swift test`.
import PackageDescription

let package = Package(
    name: "GradientCheckExample",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "adverify", path: "../.."),
    ],
    targets: [
        .target(name: "Loss"),
        .testTarget(
            name: "LossTests",
            dependencies: ["Loss", .product(name: "ADCheck", package: "adverify")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
