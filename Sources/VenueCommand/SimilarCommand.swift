import ArgumentParser
import VenueKit

extension SimilarBrands.Measure: ExpressibleByArgument {}

/// `venue similar`: the brands most like a brand, by the cosine of their factor vectors (or the
/// projection on the brand's direction).
struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Print the brands most like a brand (by their factors), or write every brand's as JSONL.",
        discussion: """
            --measure cosine (the default) is implicit's similar_items; --measure projection \
            scores brand b by its factors' reach along the queried brand's direction, so brands \
            with few shoppers do not lead the lists (what venue similar floors use). \
            A brand's own line is never listed. With --catalog, only brands in the sale and not \
            sold out are listed (the queried brand may be any brand of the model). With --all \
            --out FILE, every brand of the model is ranked on --threads workers and written in \
            model order, one JSON object per line: {"brand":"B1","brands":["B7",…],"scores":[0.91,…]}, \
            the same lists as one --brand at a time. The file appears only when complete.
            """
    )

    @Option(help: "The model file.")
    var model: String

    @Option(help: "The brand id (or use --all).")
    var brand: String?

    @Flag(help: "Rank every brand of the model (needs --out).")
    var all = false

    @Option(help: "Where --all writes its JSONL.")
    var out: String?

    @Option(name: .short, help: "How many brands.")
    var k = 10

    @Option(help: "How brands are compared: cosine or projection.")
    var measure = SimilarBrands.Measure.cosine

    @Option(help: "A catalog CSV: only brands in the sale and not sold out are listed.")
    var catalog: String?

    @Option(help: "Worker threads for --all.")
    var threads = 2

    func validate() throws {
        guard (brand != nil) != all else { throw ValidationError("give either --brand ID or --all") }
        if all, out == nil { throw ValidationError("--all writes a file: give --out FILE") }
        if brand != nil, out != nil { throw ValidationError("--out is where --all writes; one brand's list is printed") }
        if let out { try OutputPath.validateFile(out, option: "--out") }
        guard k > 0, threads > 0 else { throw ValidationError("-k and --threads must be positive") }
    }

    func run() throws {
        let loaded = try loadModel(model)
        let eligible = try catalog.map { path in
            try reportingInputErrors { () throws(InputError) in try Catalog.read(path: path) }.showable(among: loaded.brandIDs)
        }
        let similar = SimilarBrands(brandFactors: loaded.brandFactors, measure: measure, eligible: eligible)
        guard let brand else {
            let lists = RankedListsFile(key: "brand", ids: loaded.brandIDs, brandIDs: loaded.brandIDs)
            try lists.write(to: out!, k: k, threads: threads) { write in
                try similar.rankAll(
                    k, threads: threads, produce: { block in lists.jsonLines(block, brand: \.brand) { Double($0.score) } },
                    consume: write)
            }
            return
        }
        guard let row = loaded.brandIDs.index(of: brand) else {
            standardError("error: brand \(brand) is not in \(model) (\(loaded.brandIDs.count) brands)")
            throw ExitCode(1)
        }
        similar.similar(to: row, k: k).printLines(brandIDs: loaded.brandIDs)
    }
}
