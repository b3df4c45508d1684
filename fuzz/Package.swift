// swift-tools-version: 6.1
// libFuzzer targets for adverify's untrusted-input paths: the expression parser and the case
// loader. A package of its own so the main package's build and tests never see the fuzzer flags.
// Build and run with ./run.sh (see fuzz/README.md); by hand (the -Xswiftc pair: fuzz/README.md, "Run"):
//   swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address
import PackageDescription

// The entry point is LLVMFuzzerTestOneInput (libFuzzer supplies main), so the targets are
// compiled as libraries: no top-level code, no Swift main.
let fuzzTarget: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "adverify-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "adverify", path: ".."),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "ADCatalog", package: "adverify"),
                .product(name: "ADCore", package: "adverify"),
            ]
        ),
        .executableTarget(
            name: "FuzzExpression",
            dependencies: [
                "FuzzSupport",
                .product(name: "ADCatalog", package: "adverify"),
                .product(name: "ADCore", package: "adverify"),
            ],
            swiftSettings: fuzzTarget
        ),
        .executableTarget(
            name: "FuzzCaseLoader",
            dependencies: [
                "FuzzSupport",
                .product(name: "ADCatalog", package: "adverify"),
                .product(name: "ADCore", package: "adverify"),
            ],
            swiftSettings: fuzzTarget
        ),
    ],
    swiftLanguageModes: [.v6]
)
