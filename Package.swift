// swift-tools-version: 6.1
//
// VenueKit: personal sale venues from implicit ALS on OpenBLAS.
//
// The targets follow the layers of the product, lowest first; a target depends only on the
// targets listed before it, and only `VenueLinearAlgebra` sees the C modules (OpenBLAS and
// the fused SIMD kernels of `CVenueKernels`):
//
//   COpenBLAS → VenueLinearAlgebra → VenueInteractions → VenueFactorization → VenueRanking
//             → VenueAssembly (venue layer) → VenueKit (umbrella) → venue (tool)
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "VenueKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "VenueKit", targets: ["VenueKit"]),
        .executable(name: "venue", targets: ["VenueCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(name: "CVenueKernels"),
        .target(name: "VenueLinearAlgebra", dependencies: ["COpenBLAS", "CVenueKernels"], swiftSettings: strict),
        .target(name: "VenueInteractions", dependencies: ["VenueLinearAlgebra"], swiftSettings: strict),
        .target(
            name: "VenueFactorization",
            dependencies: ["VenueLinearAlgebra", "VenueInteractions"],
            swiftSettings: strict
        ),
        .target(
            name: "VenueRanking",
            dependencies: ["VenueLinearAlgebra", "VenueInteractions", "VenueFactorization"],
            swiftSettings: strict
        ),
        .target(
            name: "VenueAssembly",
            dependencies: ["VenueLinearAlgebra", "VenueInteractions", "VenueFactorization", "VenueRanking"],
            swiftSettings: strict
        ),
        .target(
            name: "VenueKit",
            dependencies: ["VenueLinearAlgebra", "VenueInteractions", "VenueFactorization", "VenueRanking", "VenueAssembly"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "VenueCommand",
            dependencies: [
                "VenueKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VenueKitTests",
            dependencies: [
                "VenueKit",
                "VenueCommand",
                .product(name: "Numerics", package: "swift-numerics"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
