import ArgumentParser
import VenueKit

/// `venue fixtures`: writes the deterministic synthetic marketplace.
struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Generate the synthetic marketplace (catalog, coupons, events, layout) into a folder."
    )

    @Option(help: "The folder to write into.")
    var out = "Fixtures"

    @Option(help: "The seed of every draw.")
    var seed: UInt64 = 11

    @Option(help: "Number of brands (at most \(Self.mostBrands)).")
    var brands = 200

    @Option(help: "Number of shoppers (at most \(Self.mostShoppers)).")
    var shoppers = 2000

    /// The largest marketplace made: its files are built in memory (10M shoppers ≈ 100M events).
    static let (mostBrands, mostShoppers) = (1_000_000, 10_000_000)

    @Option(help: ArgumentHelp("The sale day; events end the day before.", valueName: DayArgument.valueName))
    var saleDay = DayArgument(argument: "2026-11-11")!

    func validate() throws {
        guard (1...Self.mostBrands).contains(brands), (1...Self.mostShoppers).contains(shoppers) else {
            throw ValidationError("--brands is 1 to \(Self.mostBrands) and --shoppers 1 to \(Self.mostShoppers)")
        }
        try OutputPath.validateFolder(out, option: "--out")
    }

    func run() throws {
        var configuration = SyntheticMarketplace.Configuration()
        configuration.seed = seed
        configuration.brands = brands
        configuration.shoppers = shoppers
        configuration.saleDay = saleDay.text
        let market = SyntheticMarketplace(configuration)
        try reportingInputErrors { () throws(InputError) in try market.write(to: out) }
        for (name, contents) in market.files {
            print("\(out)/\(name)  \(contents.utf8.count) bytes")
        }
    }
}
