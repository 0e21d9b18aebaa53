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

    @Option(help: "Number of brands.")
    var brands = 200

    @Option(help: "Number of shoppers.")
    var shoppers = 2000

    @Option(help: ArgumentHelp("The sale day; events end the day before.", valueName: DayArgument.valueName))
    var saleDay = DayArgument(argument: "2026-11-11")!

    func validate() throws {
        guard brands > 0, shoppers > 0 else { throw ValidationError("--brands and --shoppers must be positive") }
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
