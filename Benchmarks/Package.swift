// swift-tools-version: 6.1
// Benchmarks for VenueKit (ordo-one/benchmark). A nested package so `swift test` at the root
// stays fast. Run from this folder: `swift package benchmark` (see README.md).
import PackageDescription

/// A benchmark executable `name` in `Benchmarks/name`, with VenueKit and the benchmark plugin.
func benchmark(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "VenueKit", package: "main"),
            .product(name: "Benchmark", package: "benchmark"),
        ],
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "VenueKitBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "main", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: ["Ingest", "Training", "Generation", "Ranking", "LearnedRanking"].map(benchmark),
    swiftLanguageModes: [.v6]
)
