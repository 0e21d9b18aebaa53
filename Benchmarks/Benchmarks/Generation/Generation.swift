import Benchmark
import Foundation
import VenueKit

/// The fixture marketplace (2,000 shoppers, 200 brands, the bundled layout), a model trained on
/// it, and a generator for the day after its last event, built once.
let generator: VenueGenerator = {
    let folder = NSTemporaryDirectory() + "venue-generation-benchmark-\(ProcessInfo.processInfo.processIdentifier)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    do {
        try SyntheticMarketplace().write(to: folder)
        let log = try EventReader(format: .generic).read(MappedFile(path: folder + "/events.csv"))
        let model = try ImplicitALS().train(InteractionMatrix(log: log))
        return VenueGenerator(
            model: model, events: log, catalog: try Catalog.read(path: folder + "/catalog.csv"),
            wallets: try CouponWallets.read(path: folder + "/coupons.csv"), layout: try VenueLayout.read(path: folder + "/layout.json"),
            at: (log.times.max()! / CalendarTime.secondsPerDay + 1) * CalendarTime.secondsPerDay)
    } catch {
        fatalError("the fixture world: \(error)")
    }
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(10)
    Benchmark.defaultConfiguration.maxIterations = 50

    // The pages of the 2,000 shoppers, once and four times over, on one worker, the JSON bytes
    // handed to a consumer that only counts them. The hot path allocates nothing per page once the
    // worker's buffers have grown, so the two runs' `mallocCountTotal` differ by far less than a
    // page's worth of allocations per extra page (they were about 8 per page before session 12).
    let everyone = generator.model.shopperIDs.ids
    for rounds in [1, 4] {
        let shoppers = Array([[String]](repeating: everyone, count: rounds).joined())
        Benchmark("Venue.generate.factors.\(shoppers.count)", configuration: .init(metrics: [.wallClock, .mallocCountTotal])) {
            benchmark in
            var bytes = 0
            benchmark.startMeasurement()
            let report = try generator.generate(shoppers: shoppers, threads: 1, consume: { bytes += $0.count })
            blackHole(report.tally.pages + bytes)
        }
    }
}
