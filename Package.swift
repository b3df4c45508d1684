// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "adverify",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "adverify", targets: ["adverify"]),
        .library(name: "ADCore", targets: ["ADCore"]),
        .library(name: "ADNumeric", targets: ["ADNumeric"]),
        .library(name: "ADCatalog", targets: ["ADCatalog"]),
        .library(name: "ADVerify", targets: ["ADVerify"]),
        .library(name: "ADReport", targets: ["ADReport"]),
        .library(name: "ADNetwork", targets: ["ADNetwork"]),
        .library(name: "ADBench", targets: ["ADBench"]),
        .library(name: "ADCheck", targets: ["ADCheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // Documentation only: `swift package generate-documentation` (make docs) builds the DocC catalog.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // GSL from the system (Debian libgsl-dev, Homebrew gsl), found with pkg-config.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"]), .brew(["gsl"])]
        ),
        // CBLAS from the system's OpenBLAS (Debian libopenblas-dev, Homebrew openblas), found with pkg-config.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]
        ),
        .target(
            name: "ADCore",
            dependencies: [.product(name: "Numerics", package: "swift-numerics")]
        ),
        .target(
            name: "ADNumeric",
            dependencies: ["CGSL", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .target(
            name: "ADNetwork",
            dependencies: ["CBLAS"]
        ),
        .target(
            name: "ADCatalog",
            dependencies: ["ADCore", "ADNetwork", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "ADVerify",
            dependencies: [
                "ADCore", "ADNumeric", "ADCatalog", "ADNetwork", .product(name: "Numerics", package: "swift-numerics"),
            ]
        ),
        // The peers the benchmark measures adverify against: native Swift closures, hand-written
        // adjoints and Swift's own differentiable programming (`import _Differentiation`).
        .target(
            name: "ADPeers"
        ),
        .target(
            name: "ADBench",
            dependencies: [
                "ADCore", "ADNumeric", "ADNetwork", "ADCatalog", "ADPeers", "CBLAS",
                .product(name: "Numerics", package: "swift-numerics"),
            ]
        ),
        // What a Swift user adds to their own package to check their hand-written derivatives
        // from their own `swift test`: ADVerify's engine, issues recorded with Swift Testing (or
        // XCTest), and the results as Markdown, JSON and JUnit through ADReport.
        .target(
            name: "ADCheck",
            dependencies: ["ADVerify", "ADReport"]
        ),
        .target(
            name: "ADReport",
            dependencies: ["ADVerify", "ADCatalog", "ADNetwork", "ADBench"]
        ),
        .executableTarget(
            name: "adverify",
            dependencies: [
                "ADCore", "ADCatalog", "ADVerify", "ADReport", "ADBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "ADTestSupport",
            dependencies: [
                "ADCore",
                .product(name: "Numerics", package: "swift-numerics"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            path: "Tests/ADTestSupport"
        ),
        .testTarget(
            name: "ADCoreTests",
            dependencies: ["ADCore", "ADTestSupport", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .testTarget(
            name: "ADNumericTests",
            dependencies: ["ADNumeric", "ADTestSupport", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .testTarget(
            name: "ADNetworkTests",
            dependencies: ["ADNetwork", "ADCore", "ADTestSupport", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .testTarget(
            name: "ADCatalogTests",
            dependencies: ["ADCatalog", "ADCore", "ADTestSupport"]
        ),
        .testTarget(
            name: "ADVerifyTests",
            dependencies: ["ADVerify", "ADCatalog", "ADTestSupport", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .testTarget(
            name: "ADCheckTests",
            dependencies: ["ADCheck", "ADVerify", "ADCatalog", "ADCore", "ADTestSupport"]
        ),
        .testTarget(
            name: "ADPeersTests",
            dependencies: ["ADPeers", "ADCatalog"]
        ),
        .testTarget(
            name: "ADBenchTests",
            dependencies: ["ADBench", "ADCore", "ADCatalog"]
        ),
        .testTarget(
            name: "ADReportTests",
            dependencies: ["ADReport", "ADVerify", "ADCatalog", "ADCheck", "ADBench"]
        ),
        // Runs the built `adverify` binary on case files (the executable is a dependency so
        // `swift test` builds it first).
        .testTarget(
            name: "adverifyTests",
            dependencies: ["adverify", "ADCatalog"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
