import ArgumentParser
import Foundation
import VenueKit

/// `venue demo`: the main job on the bundled fixtures.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train on the fixtures and generate every fixture shopper's venue (JSONL, plus HTML for a few)."
    )

    @Option(help: "The fixtures folder.") var fixtures = "Fixtures"
    @Option(help: "Output folder.") var out = "venue-out"
    @Option(help: "Worker threads.") var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        try OutputPath.validateFolder(out, option: "--out")
    }

    func run() throws {
        let events = fixtures + "/events.csv"
        let common = (
            model: out + "/fixtures.model", catalog: fixtures + "/catalog.csv", coupons: fixtures + "/coupons.csv",
            layout: fixtures + "/layout.json"
        )
        let log = try EventInputOptions.read(path: events, format: .generic, threads: threads)
        // The marketplace files are checked before training, so a bad one stops the demo before it
        // writes anything (generation reads them again; they are small).
        _ = try reportingInputErrors { () throws(InputError) in
            (
                try Catalog.read(path: common.catalog), try CouponWallets.read(path: common.coupons),
                try VenueLayout.read(path: common.layout)
            )
        }
        var configuration = ALSConfiguration()
        configuration.threads = threads
        let model: FactorModel
        do {
            model = try ImplicitALS(configuration).train(InteractionMatrix(log: log))
            try ModelFile.write(model, to: common.model)
        } catch {
            standardError("error: \(error)")
            throw ExitCode(1)
        }
        standardError("trained \(model.shopperIDs.count) shoppers × \(model.brandIDs.count) brands → \(out)/fixtures.model")
        let summary = try GenerateCommand.generate(
            model: common.model, events: events, eventsFormat: .generic, catalog: common.catalog, coupons: common.coupons,
            layout: common.layout, out: out, at: nil, shoppersFile: nil, threads: threads, format: .jsonl)
        let few = out + "/demo-shoppers.txt"
        try "S0001\nS0002\nS0100\nNEW-SHOPPER\n".write(toFile: few, atomically: true, encoding: .utf8)
        _ = try GenerateCommand.generate(
            model: common.model, events: events, eventsFormat: .generic, catalog: common.catalog, coupons: common.coupons,
            layout: common.layout, out: out, at: nil, shoppersFile: few, threads: threads, format: .html)
        print(summary)
        standardError(
            "venues: \(out)/venues.jsonl · previews: \(out)/html/S0001.html, S0002, S0100, NEW-SHOPPER (a cold start)"
                + " · merchants' exposure: \(out)/exposure.csv")
    }
}
