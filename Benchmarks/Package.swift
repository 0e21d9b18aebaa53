// swift-tools-version: 6.1
// Benchmarks for VenueKit (ordo-one/benchmark). A nested package so `swift test` at the root
// stays fast. Run from this folder: `swift package benchmark` (see README.md).
import PackageDescription

let package = Package(
    name: "VenueKitBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "main", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Ingest",
            dependencies: [
                .product(name: "VenueKit", package: "main"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Ingest",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Training",
            dependencies: [
                .product(name: "VenueKit", package: "main"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Training",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Generation",
            dependencies: [
                .product(name: "VenueKit", package: "main"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Generation",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Ranking",
            dependencies: [
                .product(name: "VenueKit", package: "main"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Ranking",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
