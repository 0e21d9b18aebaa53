import ArgumentParser
import Dispatch
import Foundation
import VenueKit

/// How `venue generate` writes pages.
enum PageFormat: String, ExpressibleByArgument, CaseIterable {
    case jsonl, html
}

extension Shard: ExpressibleByArgument {
    /// `I/N`, shard I (from 1) of N.
    public init?(argument: String) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, of: count)
    }
}

/// How a batch run of `venue generate` is split and checkpointed.
struct BatchSettings: Sendable {
    /// The part of the shoppers this run generates (all of them when `nil`).
    var shard: Shard?
    /// An exposure plan saved by `venue plan`, read instead of planning (`nil`: plan here).
    var plan: String?
    /// Continue from the last checkpoint of an earlier run with the same inputs, if there is one.
    var resume = false
    /// Shoppers between checkpoints.
    var checkpointEvery = 100_000
}

/// `venue generate`: every requested shopper's venue page.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate shoppers' venue pages (JSONL, or one HTML file per shopper).",
        discussion: """
            JSONL goes to DIR/venues.jsonl, one page per line in shopper order (schema: \
            docs/venue-schema.json); HTML to DIR/html/SHOPPER.html. Files appear only when complete.

            Without --shoppers, every shopper of the model gets a page, then every shopper of \
            --events the model does not know who has events up to --at (arrived after training): \
            their factors are folded in from those events. Merchants' exposure guarantees and caps \
            in the catalog are planned over every shopper of the model first (or read from \
            --plan, saved once by venue plan for every shard); a JSONL run writes \
            DIR/exposure.csv with each such brand's guarantee, cap, planned placements and the \
            pages that showed it, and the run: a checksum of the inputs' bytes, the day and the \
            blend settings, alike in every shard, so venue merge-exposure adds up one run's shards.

            With --shard I/N the run generates only shard I of N (a shopper's shard is fixed by a \
            hash of its id, so N machines can each run one) into DIR/venues.shard-I-of-N.jsonl. \
            JSONL output is checkpointed every --checkpoint-every shoppers; after a crash or a \
            kill, the same command with --resume continues from the last checkpoint, without \
            losing or repeating a page, and refuses if any input or setting has changed.

            With --learned-blend, candidates are ranked by the learned venue blend saved in the \
            model (venue evaluate --save-model), with features from --events as of --at, instead of \
            factor score and popularity: slower per shopper, and the venue method of docs/evaluation.md.
            """
    )

    @Option(help: "The model file.") var model: String
    @Option(help: "The events file (history, follows, popularity).") var events: String
    @Option(help: "Format of --events.") var eventsFormat: EventFormat = .generic
    @Option(help: "The catalog CSV.") var catalog: String
    @Option(help: "The coupons CSV.") var coupons: String
    @Option(help: "The layout JSON.") var layout: String
    @Option(help: "Output folder.") var out: String
    @Option(
        help: ArgumentHelp(
            "The day pages are for (default: the --plan's day, or else the day after the last event).", valueName: DayArgument.valueName))
    var at: DayArgument?
    @Option(help: "A file of shopper ids, one per line (default: every shopper of the model, then the newcomers of --events).")
    var shoppers: String?
    @Flag(help: "Every shopper of the model, then those of --events it does not know (the default without --shoppers).")
    var all = false
    @Option(help: "Worker threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "jsonl or html.") var format: PageFormat = .jsonl
    @Option(help: "Weight of the factor score in candidate ranking (default: 1).") var factorWeight: Float?
    @Option(help: "Weight of normalised popularity in candidate ranking (default: 0.05).") var popularityWeight: Float?
    @Option(help: "Half-life in days of the history behind the followed and category floors.") var halfLife = 30.0
    @Flag(help: "Rank candidates by the learned venue blend saved in the model, not --factor-weight/--popularity-weight.")
    var learnedBlend = false
    @Option(help: ArgumentHelp("Generate only shard I of N of the shoppers.", valueName: "I/N")) var shard: Shard?
    @Option(
        help:
            "An exposure plan from venue plan, made from the same model, events and catalog (and --at, or pages are for the plan's day): read, not planned again."
    )
    var plan: String?
    @Flag(help: "Continue from the last checkpoint of an earlier run of the same command (JSONL).") var resume = false
    @Option(help: "Shoppers between checkpoints (JSONL; default: \(BatchSettings().checkpointEvery)).") var checkpointEvery: Int?

    func validate() throws {
        if all, shoppers != nil { throw ValidationError("give --shoppers FILE or --all, not both") }
        try OutputPath.validateFolder(out, option: "--out")
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        guard halfLife > 0, halfLife.isFinite else { throw ValidationError("--half-life is a positive number of days") }
        if learnedBlend, factorWeight != nil || popularityWeight != nil {
            throw ValidationError("--learned-blend ranks by the model's blend: --factor-weight and --popularity-weight do not apply")
        }
        guard factorWeight?.isFinite ?? true, popularityWeight?.isFinite ?? true else {
            throw ValidationError("--factor-weight and --popularity-weight must be finite numbers")
        }
        guard checkpointEvery ?? 1 > 0 else { throw ValidationError("--checkpoint-every must be positive") }
        if resume || checkpointEvery != nil, format != .jsonl {
            throw ValidationError("--resume and --checkpoint-every are for JSONL output; HTML pages are written one file each")
        }
    }

    func run() throws {
        let summary = try Self.generate(
            model: model, events: events, eventsFormat: eventsFormat, catalog: catalog, coupons: coupons, layout: layout, out: out,
            at: at, shoppersFile: shoppers, threads: threads, format: format,
            blend: VenueBlend(factor: factorWeight ?? 1, history: 0, popularity: popularityWeight ?? 0.05, halfLifeDays: halfLife),
            learnedBlend: learnedBlend,
            batch: BatchSettings(
                shard: shard, plan: plan, resume: resume, checkpointEvery: checkpointEvery ?? BatchSettings().checkpointEvery))
        print(summary)
    }

    /// The pipeline shared with `venue demo`; returns the summary line.
    static func generate(
        model: String, events: String, eventsFormat: EventFormat, catalog: String, coupons: String, layout: String, out: String,
        at: DayArgument?, shoppersFile: String?, threads: Int, format: PageFormat, blend: VenueBlend = VenueBlend(),
        learnedBlend: Bool = false, batch: BatchSettings = BatchSettings()
    ) throws -> String {
        let started = DispatchTime.now().uptimeNanoseconds
        // A shard with a saved plan needs only its own shoppers' factors and events (the learned
        // blend reads everyone's).
        let inputs = try Inputs.read(
            model: model, events: events, eventsFormat: eventsFormat, catalog: catalog, coupons: coupons, layout: layout,
            shoppers: shoppersFile, shard: batch.shard, ownShoppersOnly: batch.plan != nil && !learnedBlend, learnedBlend: learnedBlend,
            threads: threads)
        var madeFrom = try PlanCommand.madeFrom(model: model, events: events, eventsFormat: eventsFormat, at: at?.start)
        // A saved plan, when it was made from these inputs (and for --at, when given).
        let saved = try batch.plan.map { plan in
            try reportingInputErrors { () throws(InputError) in
                try ExposurePlan.Saved.read(
                    path: plan, model: inputs.model, population: inputs.modelPart?.shoppers, catalog: inputs.marketplace.catalog,
                    madeFrom: madeFrom)
            }
        }
        // Pages are for --at, or else the plan's day, or else the day after the last event.
        let time = at?.start ?? saved?.day ?? PlanCommand.day(nil, log: inputs.log)
        madeFrom["at"] = CalendarTime.isoDate(time)
        var ids = inputs.shoppers
        var learned: LearnedVenueRanker?
        if learnedBlend {
            do {
                learned = try LearnedVenueRanker(model: inputs.model, log: inputs.log, cut: time, threads: threads)
            } catch {
                standardError("error: \(model): \(error)")
                throw ExitCode(1)
            }
        }
        let generator = VenueGenerator(
            model: inputs.model, events: inputs.log, catalog: inputs.marketplace.catalog, wallets: inputs.marketplace.wallets,
            layout: inputs.marketplace.layout, at: time, blend: blend, learnedBlend: learned, plan: saved,
            populationRows: inputs.modelPart?.rows, shard: batch.shard,
            threads: threads)
        // A shard's generator lists only its shoppers; a --shoppers list is cut to them here.
        if let shard = batch.shard { ids = ids?.filter(shard.contains) ?? generator.shoppers }
        let prepared = seconds(since: started)

        if format == .html { return try writeHTML(generator, shoppers: ids ?? generator.shoppers, out: out) }

        /// `NAME.EXTENSION` in `out`, or `NAME.shard-I-of-N.EXTENSION` for shard I of N.
        func output(_ name: String, _ pathExtension: String) -> String {
            out + "/" + name + (batch.shard.map { ".shard-\($0.index)-of-\($0.count)" } ?? "") + "." + pathExtension
        }
        let path = output("venues", "jsonl")
        // A checkpoint names the shoppers and bytes already durable in the partial output, and the
        // inputs that made them: a run with other inputs or settings never continues it.
        let fingerprint = GenerationCheckpoint.fingerprint(
            of: [
                "venue generate 2", eventsFormat.rawValue, "\(time)", batch.shard?.description ?? "all", "\(blend.factor)",
                "\(blend.history)", "\(blend.popularity)", "\(blend.halfLifeDays)", learnedBlend ? "learned blend" : "factors",
            ],
            files: [model, events, catalog, coupons, layout] + (shoppersFile.map { [$0] } ?? []) + (batch.plan.map { [$0] } ?? []))
        // The exposure reports name the run, so that merge-exposure adds up the shards of one run only.
        let runChecksum = try Self.runChecksum(
            madeFrom: madeFrom, files: [catalog, coupons, layout] + (shoppersFile.map { [$0] } ?? []),
            settings: [
                "\(blend.factor)", "\(blend.history)", "\(blend.popularity)", "\(blend.halfLifeDays)",
                learnedBlend ? "learned blend" : "factors",
            ])
        let run = try writeJSONL(
            generator, shoppers: ids, to: path, exposureReport: (output("exposure", "csv"), runChecksum), fingerprint: fingerprint,
            batch: batch, threads: threads)

        let report = run.report
        let t = report.tally
        let stages =
            "{\"rank\":\(rounded(report.rankSeconds, places: 3)),\"assemble\":\(rounded(report.assembleSeconds, places: 3)),"
            + "\"encode\":\(rounded(report.encodeSeconds, places: 3)),\"write\":\(rounded(report.writeSeconds, places: 3))}"
        var fields = [
            "\"pages\":\(t.pages)", "\"venues_per_sec\":\(Int(Double(t.pages) / max(run.seconds, 1e-9)))",
            "\"seconds\":\(rounded(run.seconds, places: 3))", "\"prepare_seconds\":\(rounded(prepared, places: 3))",
            "\"threads\":\(threads)",
            "\"slots\":\(t.slots)", "\"coupons_attached\":\(t.couponsAttached)", "\"excluded_by_stock_rules\":\(t.excludedByStock)",
            "\"excluded_by_caps\":\(t.excludedByCap)",
            "\"stage_cpu_seconds\":\(stages)", "\"at\":\"\(CalendarTime.isoDate(time))\"",
        ]
        if learnedBlend { fields.append("\"candidates\":\"learned-blend\"") }
        if let shard = batch.shard { fields.append("\"shard\":\"\(shard)\"") }
        if run.resumedAfter > 0 { fields.append("\"resumed_after\":\(run.resumedAfter)") }
        if let exposure = run.exposure { fields.append("\"exposure\":" + exposure.report.summary(file: exposure.file)) }
        fields.append("\"file\":\(jsonString(path))")
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Writes one HTML page per shopper into `out/html`; returns the summary line.
    private static func writeHTML(_ generator: VenueGenerator, shoppers: [String], out: String) throws -> String {
        try generator.pages(for: shoppers) { page in
            let safe = String(
                page.shopper.unicodeScalars.map {
                    CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_"
                })
            try reportingInputErrors { () throws(InputError) in try AtomicFile.write(page.html(), to: out + "/html/\(safe).html") }
        }
        return "{\"pages\":\(shoppers.count),\"format\":\"html\",\"folder\":\(jsonString(out + "/html"))}"
    }

    /// A checksum of what a run's pages are made from: `madeFrom` (the model's checksum, the
    /// events', the day, as a saved plan records them), the bytes of `files` and the `settings`,
    /// in order. It is the same in every shard of the run and on any machine, whether the shards
    /// plan or read a saved plan. O(size of the files).
    static func runChecksum(madeFrom: [String: String], files: [String], settings: [String]) throws -> UInt64 {
        var text = "venue generate run 1\n"
        for (key, value) in madeFrom.sorted(by: { $0.key < $1.key }) { text += "\(key) \(value)\n" }
        for file in files {
            let checksum = try reportingInputErrors { () throws(InputError) in try WordChecksum.of(file: file) }
            text += "file \(String(checksum, radix: 16))\n"
        }
        for setting in settings { text += "setting \(setting)\n" }
        return text.withUTF8 { WordChecksum.of(UnsafeRawBufferPointer($0)) }
    }

    /// What ``writeJSONL(_:shoppers:to:exposureReport:fingerprint:batch:threads:)`` did.
    private struct JSONLRun {
        /// This run's stage times and counts; its tally's exposure sums include the resumed part.
        var report: VenueGenerator.Report
        /// Wall-clock seconds of generation.
        var seconds: Double
        /// Shoppers whose pages an earlier run had written (0 when the run began afresh).
        var resumedAfter: Int
        /// The merchants' exposure report and the file it was written to, when the plan has lines.
        var exposure: (report: ExposureReport, file: String)?
    }

    /// Generates the pages of `shoppers` (every shopper of `generator` when `nil`) into the JSONL
    /// file `path`, checkpointed every `batch.checkpointEvery` shoppers and continued from an
    /// earlier run's checkpoint with `batch.resume`, then the merchants' exposure report of run
    /// `exposureReport.run` to `exposureReport.path`.
    /// The file appears only when complete; on failure the pages before the last checkpoint are
    /// kept for a resumed run.
    private static func writeJSONL(
        _ generator: VenueGenerator, shoppers ids: [String]?, to path: String, exposureReport: (path: String, run: UInt64),
        fingerprint: String,
        batch: BatchSettings, threads: Int
    ) throws -> JSONLRun {
        let total = ids?.count ?? generator.shopperCount
        let checkpointPath = GenerationCheckpoint.path(for: path)
        let resumed: GenerationCheckpoint
        do {
            resumed = try GenerationCheckpoint.start(
                at: checkpointPath, fingerprint: fingerprint, total: total, planLines: generator.assembler.exposure.lines.count,
                resume: batch.resume, partial: AtomicFileWriter.partialFile(of: path)
            ) { ids?[$0] ?? generator.shopper(at: $0) }
        } catch {
            standardError("error: \(error)")
            throw ExitCode(1)
        }
        let writer = try reportingInputErrors { () throws(InputError) in
            try AtomicFileWriter(path: path, resumingAt: resumed.bytes)
        }
        // For tests of recovery: end the process abruptly at this checkpoint, after the pages are
        // durable but before the checkpoint is recorded, as a crash there would.
        let crashAt = ProcessInfo.processInfo.environment["VENUE_CRASH_AT_CHECKPOINT"].flatMap { Int($0) }
        var checkpoints = 0
        var checkpointed = 0
        let progress = ProgressReporter(total: total, label: "venues")
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            let report = try generator.generate(
                shoppers: ids, from: resumed.shoppers, threads: threads, consume: { bytes throws(InputError) in try writer.write(bytes) },
                progress: { soFar in
                    let done = soFar.tally.pages
                    progress.update(resumed.shoppers + done)
                    guard done - checkpointed >= batch.checkpointEvery, done < total - resumed.shoppers else { return }
                    checkpoints += 1
                    let crash = checkpoints == crashAt
                    let shoppers = resumed.shoppers + done
                    let sums = soFar.tally.adding(resumed.tally)
                    // Recorded on the writer's queue once the pages are durable, while generation goes on.
                    writer.flush { bytes throws(InputError) in
                        if crash { _exit(99) }
                        let checkpoint = GenerationCheckpoint(
                            shoppers: shoppers, bytes: bytes, inputs: fingerprint, exposure: sums.exposure, planned: sums.planned)
                        try AtomicFile.write(checkpoint.text, to: checkpointPath)
                    }
                    checkpointed = done
                })
            try writer.commit()
            try? FileManager.default.removeItem(atPath: checkpointPath)
            let sums = report.tally.adding(resumed.tally)
            var run = JSONLRun(report: report, seconds: seconds(since: started), resumedAfter: resumed.shoppers)
            if let exposure = ExposureReport(
                plan: generator.assembler.exposure, brandIDs: generator.model.brandIDs, partial: ids != nil, planned: sums.planned,
                delivered: sums.exposure, run: exposureReport.run)
            {
                try AtomicFile.write(exposure.csv, to: exposureReport.path)
                run.exposure = (exposure, exposureReport.path)
            }
            progress.finish()
            return run
        } catch {
            writer.discard()
            standardError("error: \(error)")
            if checkpointed > 0 || resumed.shoppers > 0 {
                standardError("the pages before the last checkpoint are kept: run again with --resume to continue")
            }
            throw ExitCode(1)
        }
    }

    /// Seconds since `start` (`DispatchTime` nanoseconds).
    private static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

extension GenerateCommand {
    /// What `venue generate` reads before it generates.
    fileprivate struct Inputs {
        /// The model, or the part of it `modelPart` names.
        var model: FactorModel
        /// When the model was read in part: its shoppers' rows in the whole, and the whole's count.
        var modelPart: (rows: [Int32], shoppers: Int)?
        var log: EventLog
        var marketplace: Marketplace
        /// The ids of the `--shoppers` file, in its order without repeats (`nil` without one).
        var shoppers: [String]?

        /// The per-marketplace inputs: they depend on neither the model nor the events.
        struct Marketplace: Sendable {
            var catalog: Catalog
            var wallets: CouponWallets
            var layout: VenueLayout
        }

        /// Reads every input; of the coupons, only the wallets of the shoppers the run makes pages
        /// for (those of `shard`, and of the `shoppers` file when there is one). With more than one
        /// thread the shopper list, catalog, coupons and layout are read on one thread while the
        /// events are read on the others. Errors are reported in argument order either way (model,
        /// events, catalog, coupons, layout, shoppers), and a model without a learned blend is
        /// refused when `learnedBlend` asks for one. Repeated ids of the shopper list are skipped,
        /// with a line on standard error. With `ownShoppersOnly` and a `shard`, only that shard's
        /// shoppers of the model are read, and only their events kept.
        static func read(
            model: String, events: String, eventsFormat: EventFormat, catalog: String, coupons: String, layout: String,
            shoppers: String?, shard: Shard?, ownShoppersOnly: Bool, learnedBlend: Bool, threads: Int
        ) throws -> Inputs {
            let modelPart = ownShoppersOnly ? shard : nil
            let marketplace = Background(onOwnThread: threads > 1) {
                () -> (Result<Marketplace, InputError>, Result<ShopperListFile?, InputError>) in
                // The list first, since it narrows the wallets; its errors come last all the same.
                let list = Result { () throws(InputError) in try shoppers.map(ShopperListFile.init(path:)) }
                let marketplace = Result { () throws(InputError) in
                    Marketplace(
                        catalog: try Catalog.read(path: catalog),
                        wallets: try CouponWallets.read(path: coupons, shard: shard, shoppers: (try? list.get())??.ids),
                        layout: try VenueLayout.read(path: layout))
                }
                return (marketplace, list)
            }
            let loaded: FactorModel
            var part: (rows: [Int32], shoppers: Int)?
            let log: EventLog
            do {
                if let modelPart {
                    let read = try loadModel(model, shard: modelPart)
                    (loaded, part) = (read.model, (read.rows, read.shoppers))
                } else {
                    loaded = try loadModel(model)
                }
                if learnedBlend, loaded.extensions[LearnedVenueRanker.weightsExtension] == nil {
                    standardError("error: \(model): \(LearnedVenueRanker.LoadError.noBlend)")
                    throw ExitCode(1)
                }
                // The marketplace has a thread of its own meanwhile; the events, the others.
                // A shard reading part of the model keeps its own shoppers' events alone.
                var keepsShopper: (@Sendable (UnsafeRawBufferPointer) -> Bool)?
                if let modelPart { keepsShopper = { modelPart.contains(utf8: $0) } }
                log = try EventInputOptions.read(
                    path: events, format: eventsFormat, threads: max(1, threads - 1), keepsShopper: keepsShopper)
            } catch {
                _ = marketplace.join()
                throw error
            }
            let (read, list) = marketplace.join()
            let inputs = try reportingInputErrors { () throws(InputError) in
                Inputs(model: loaded, modelPart: part, log: log, marketplace: try read.get(), shoppers: try list.get()?.ids.ids)
            }
            if let shoppers, let repeats = try? list.get()?.repeats, repeats > 0 {
                standardError("\(shoppers): skipped \(repeats) repeated id\(repeats == 1 ? "" : "s"): one page per shopper")
            }
            return inputs
        }
    }
}
