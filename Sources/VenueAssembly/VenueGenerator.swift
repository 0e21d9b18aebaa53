import Dispatch
import Synchronization
import VenueFactorization
import VenueInteractions
import VenueLinearAlgebra
import VenueRanking

/// The whole venue pipeline for a population: rank candidates a block of shoppers at a time
/// (scoring fused with selection), assemble each page, encode it as a JSON line — in parallel — and hand
/// the blocks' bytes over in shopper order.
///
/// Memory: the model, the aligned history and a few blocks of pages per worker, however many
/// shoppers. Output is identical on any thread count.
public struct VenueGenerator: Sendable {
    /// The model whose factors rank candidates.
    public let model: FactorModel
    /// The assembler (catalog, layout, popularity).
    public let assembler: VenueAssembler
    /// The moment pages are for.
    public let at: Int64
    private let ranker: BrandRanker
    /// The model brand of each row of the candidate ranker's table (the showable brands, in order).
    private let candidateBrands: [Int32]
    private let history: SparseMatrix
    private let followed: SparseMatrix
    private let wallets: CouponWallets
    /// Candidates from the learned venue blend, when the generator ranks by it.
    private let learned: LearnedCandidates?
    /// Shoppers of the events the model does not know, folded in (`nil` when there are none).
    private let newcomers: Newcomers?
    /// The shard whose pages this generator makes (`nil`: every shopper's).
    public let shard: Shard?
    /// With a shard, its shoppers' model rows, ascending.
    private let shardRows: [Int32]?
    /// Candidates ranked per shopper: enough to fill every floor after rules and diversity (with
    /// a learned blend, at least this many).
    public let candidates: Int

    /// A generator. Events after `at` are ignored; `blend` weighs the factor score and popularity
    /// of candidates (history is shown by the followed and category floors). With `threads` > 1
    /// the shoppers' history and their follows are aligned at the same time. Merchants' exposure
    /// guarantees and caps in `catalog` are planned over every shopper of `model`
    /// (``ExposurePlan``, on `threads` workers), unless `plan` gives a saved plan (made for
    /// `model`, `catalog` and these events as of `at`, perhaps read from a file that
    /// ``ExposurePlan/Saved/json(brandIDs:)`` wrote): then its allocation, and its popularity
    /// counts for the brands' popularity. When `layout` has a similar
    /// floor, every brand's nearest showable brands (by ``SimilarBrands/Measure/projection``) are
    /// ranked once (``NearestBrands``, O(brands² · factors) on `threads` workers).
    /// O(events + brands + plan brands · shoppers · factors), without the last term when the
    /// plan is given.
    ///
    /// With `shard`, the generator makes the pages of that shard's shoppers only (``shoppers`` are
    /// theirs), and builds the history and follows of its shoppers alone, and of the others only
    /// what the exposure plan reads (their events on guaranteed or capped brands; nothing when the
    /// plan is given), so the plan and every page are those of the whole population's
    /// generator, for a fraction of the memory. Only this shard's newcomers are folded in. With
    /// the plan given, `model` may hold the shard's shoppers alone
    /// (``ModelFile/read(path:keepingShoppers:)``), with `populationRows` their rows in the whole
    /// model, and `events` theirs alone (``EventReader/Options/keepsShopper``), for the same
    /// pages.
    ///
    /// With `learnedBlend` (a ``LearnedVenueRanker`` over `events` as of `at`), candidates are
    /// instead every candidate the learned venue blend scores for the shopper (its history, its top
    /// brands by factor and item-kNN score, the most-bought brands), best first, scored by purchase
    /// probability; `blend` then sets only the history behind the followed and category floors
    /// and the popularity of the popular floor. That costs O(brands · factors + candidates ·
    /// features) per shopper: factor scores for 16 shoppers per pass over the brand table, then
    /// each shopper's features, where the factor ranking fuses scoring and selection for blocks of
    /// shoppers in one kernel.
    public init(
        model: FactorModel, events: EventLog, catalog: Catalog, wallets: CouponWallets, layout: VenueLayout, at: Int64,
        blend: VenueBlend = VenueBlend(), learnedBlend: LearnedVenueRanker? = nil, precision: BrandTable.Precision = .float32,
        plan saved: ExposurePlan.Saved? = nil, populationRows: [Int32]? = nil, shard: Shard? = nil, threads: Int = 1
    ) {
        precondition(populationRows == nil || saved != nil, "a model of part of the population needs the plan given")
        precondition(saved.map { $0.popularityCounts.count == model.brandIDs.count } ?? true, "a plan for the model's brands")
        let allocation = saved?.allocation
        self.model = model
        self.at = at
        self.wallets = wallets
        self.shard = shard
        shardRows = shard.map { shard in
            (0..<Int32(model.shopperIDs.count)).filter { r in model.shopperIDs.withUTF8(at: Int(r)) { shard.contains(utf8: $0) } }
        }
        // A shard's history: every event of its shoppers, and the others' on plan brands when it
        // plans (an allocation given reads no one else's).
        let kept = shard.map { ShardEvents(events, shard: $0, catalog: allocation == nil ? catalog : nil) }
        // History (all events) and follows (follow and favourite events) are independent.
        let follows = Background(onOwnThread: threads > 1) {
            blend.followed(events, at: at, shoppers: model.shopperIDs, brands: model.brandIDs) { kept?.isOwn(events, $0) ?? true }
        }
        history = blend.ownHistory(events, at: at, shoppers: model.shopperIDs, brands: model.brandIDs) {
            kept?.isKept(events, $0) ?? true
        }
        followed = follows.join()
        // The learned blend folds newcomers in for its own features; the factor ranking needs
        // their factors here.
        newcomers = Newcomers(
            model: model, events: events, at: at, blend: blend, foldIn: learnedBlend == nil, shard: shard, threads: threads)
        // The population's popularity: the plan's, when the events may be the shard's alone.
        let popularity = VenueBlend.popularity(
            counts: saved?.popularityCounts ?? blend.popularityCounts(events, at: at, brands: model.brandIDs))
        // Merchants' guarantees and caps, planned over every shopper of the model.
        let showableBrands = catalog.showable(among: model.brandIDs)
        let exposure =
            if let allocation {
                ExposurePlan(allocation: allocation, model: model, history: history, populationRows: populationRows)
            } else {
                ExposurePlan(model: model, catalog: catalog, showable: showableBrands, history: history, threads: threads)
            }
        // Similar floors read each brand's nearest showable brands, ranked once for the population,
        // by projection: on Tmall 2014 cosine lists are led by brands with a shopper or two.
        let similarSlots = layout.floors.filter { $0.kind == .similar }.map(\.slots).max()
        let nearest = similarSlots.map { slots in
            NearestBrands(
                SimilarBrands(brandFactors: model.brandFactors, measure: .projection, eligible: showableBrands),
                perBrand: max(0, min(model.brandIDs.count - 1, max(Self.nearestPerBrand, 2 * slots))), threads: threads)
        }
        assembler = VenueAssembler(
            catalog: catalog, layout: layout, brandIDs: model.brandIDs, popularity: popularity, exposure: exposure, nearest: nearest)
        // Candidates: factor score and popularity only (history reaches the page through the
        // followed and category floors), so no per-shopper boosts. Brands that cannot be shown
        // (sold out, not in the sale) are never scored: the candidate table holds the showable
        // brands only, in model order, so scores and ties are exactly those of the full table
        // with those brands filtered out, and rows map back through `candidateBrands`.
        let showable = (0..<model.brandIDs.count).filter(assembler.showable.contains)
        candidateBrands = showable.map(Int32.init)
        var rows = [Float](repeating: 0, count: showable.count * model.factors)
        for (i, b) in showable.enumerated() {
            for f in 0..<model.factors { rows[i * model.factors + f] = model.brandFactors[b, f] }
        }
        ranker = BrandRanker(
            brands: BrandTable(Matrix(rows: showable.count, columns: model.factors, storage: rows), precision: precision),
            rules: RankingRules(offsets: showable.map { popularity[$0] * blend.popularity }, factorWeight: blend.factor))
        // Twice the slots that draw on candidates (picked and category floors; category floors
        // fall back to the category's popular brands, followed and popular floors need none).
        let drawing = layout.floors.filter { $0.kind == .picked || $0.kind == .category }.reduce(0) { $0 + $1.slots * $1.count }
        candidates = min(model.brandIDs.count, max(32, 2 * drawing))
        let (shown, count) = (assembler.showable, candidates)
        let newcomerIDs = newcomers?.ids
        learned = learnedBlend.map {
            LearnedCandidates(ranker: $0, model: model, newcomers: newcomerIDs, showable: shown, count: count)
        }
    }

    /// Every shopper ``generate(shoppers:from:threads:blockSize:consume:progress:)`` writes a page for
    /// when given no list, in order: the model's, then the newcomers (shoppers of the events the
    /// model does not know, with events up to ``at``; folded in as ``pages(for:_:)`` describes).
    /// With a ``shard``, only its shoppers, in the same order. O(shoppers).
    public var shoppers: [String] { (0..<shopperCount).map(shopper(at:)) }

    /// The number of ``shoppers``. O(1).
    public var shopperCount: Int { (shardRows?.count ?? model.shopperIDs.count) + (newcomers?.ids.count ?? 0) }

    /// Shopper `index` of ``shoppers``, without building the list. O(length of the id).
    public func shopper(at index: Int) -> String {
        let modelCount = shardRows?.count ?? model.shopperIDs.count
        guard index < modelCount else { return newcomers!.ids[index - modelCount] }
        return model.shopperIDs[shardRows.map { Int($0[index]) } ?? index]
    }

    /// The fewest nearest brands kept per brand for similar floors (twice the floor's slots when
    /// that is more): enough that a shopper's brands still fill the floor after their nearest
    /// brands already in the history or on the page are skipped.
    public static let nearestPerBrand = 12

    /// Seconds spent per stage, summed over workers (CPU time of each stage), and what was made.
    public struct Report: Sendable {
        /// Ranking (scoring and candidate selection).
        public var rankSeconds = 0.0
        /// Page assembly (floors, rules, coupons).
        public var assembleSeconds = 0.0
        /// JSON encoding.
        public var encodeSeconds = 0.0
        /// Writing, on the consuming thread.
        public var writeSeconds = 0.0
        /// Counters.
        public var tally = VenueAssembler.Tally()
    }

    /// The pages of `shoppers` one at a time, in order, on this thread, passed to `body`; scratch is
    /// built once for all of them. An id the model does not know is folded in from its events up
    /// to the moment, when it has any (its factors by ``FoldIn``, its history and follows on the
    /// page; no exposure guarantee places a brand on its page, and no capped brand appears);
    /// otherwise it gets a cold-start page. A learned blend ranks it as it ranks the model's
    /// shoppers, with the factors ``LearnedVenueRanker/init(model:log:cut:threads:)`` folded in.
    /// For previews and single requests:
    /// ``generate(shoppers:from:threads:blockSize:consume:progress:)`` is the batch path. With a
    /// ``shard``, every id must be in it.
    public func pages(for shoppers: [String], _ body: (VenuePage) throws -> Void) rethrows {
        requireInShard(shoppers)
        var workspace = ranker.makeWorkspace(blockSize: 1)
        var learnedWorkspace = LearnedWorkspace(learned)
        var scratch = VenueAssembler.Scratch(for: assembler)
        var tally = VenueAssembler.Tally()
        var exposure = assembler.exposure.makeWorkspace()
        // The shopper's factors, ranked as a block of one by the batch path's kernel, so a page
        // here has the bits of the same shopper's page there.
        var x = Matrix(rows: 1, columns: model.factors)
        var brands: [Int32] = []
        var scores: [Float] = []
        for shopper in shoppers {
            let row = row(of: shopper)
            if let learned {
                learnedWorkspace.rank(learned, shopper: learned.shopper(of: row))
                (brands, scores) = (learnedWorkspace.brands, learnedWorkspace.scores)
            } else {
                let source = row.map { factors(of: $0) }
                for f in 0..<model.factors { x[0, f] = source.map { $0.matrix[$0.row, f] } ?? 0 }
                ranker.rankBlocks(candidates, shopperFactors: x, rows: 0..<1, workspace: &workspace) { _, ranked in
                    brands.removeAll(keepingCapacity: true)
                    for b in ranked.brands { brands.append(candidateBrands[Int(b)]) }
                    scores.removeAll(keepingCapacity: true)
                    scores.append(contentsOf: ranked.scores)
                }
            }
            try body(
                assembler.assemble(
                    context(shopper, row: row, brands[...], scores[...], exposure: &exposure), scratch: &scratch, tally: &tally))
        }
    }

    /// Generates the pages of `shoppers` (ids, unknown ones as ``pages(for:_:)`` treats them; `nil`
    /// for ``shoppers``: the model's, then the newcomers) on `threads` workers, `blockSize`
    /// shoppers per block, and passes each block's JSON lines to `consume` in order (the bytes are
    /// valid during the call only), then `progress` with the report so far: its tally counts the
    /// pages passed (a point where a caller can checkpoint). Returns the stage times and counts.
    ///
    /// The first `start` shoppers are skipped: a run that continues where an earlier one stopped
    /// writes the pages a run from the beginning writes for the rest. With a ``shard``, every id
    /// of `shoppers` must be in it.
    public func generate(
        shoppers: [String]? = nil, from start: Int = 0, threads: Int, blockSize: Int = BrandRanker.defaultBlockSize,
        consume: (UnsafeRawBufferPointer) throws -> Void,
        progress: (_ report: Report) throws -> Void = { _ in }
    ) rethrows -> Report {
        // A shard's shoppers are not contiguous rows: they are looked up as a list.
        let ids = shoppers ?? (shard == nil ? nil : self.shoppers)
        requireInShard(shoppers ?? [])
        let count = ids?.count ?? shopperCount
        precondition((0...count).contains(start), "start \(start) is outside the run's \(count) shoppers")
        // Shopper rows: without a list, the model's rows then the newcomers' (each contiguous);
        // with one, looked up, and their factors gathered in the requested order (the learned
        // blend reads its own factors).
        let rows: [ShopperRow?] = ids.map { $0.map(row(of:)) } ?? []
        let modelCount = model.shopperIDs.count
        /// The row of shopper `i` of the run.
        @Sendable func row(_ i: Int) -> ShopperRow? {
            guard ids == nil else { return rows[i] }
            return i < modelCount ? .model(i) : .newcomer(i - modelCount)
        }
        /// The id of shopper `i` of the run.
        @Sendable func id(_ i: Int) -> String { ids?[i] ?? shopper(at: i) }
        // The factor ranking reads shoppers `0 ..< split` from `factors`, the rest from the
        // newcomers' factors at `i - split`.
        let factors: Matrix
        let split = ids == nil ? modelCount : count
        if ids == nil || learned != nil {
            factors = model.shopperFactors
        } else {
            var storage = [Float](repeating: 0, count: count * model.factors)
            for (i, row) in rows.enumerated() {
                guard let row else { continue }
                let (source, r) = self.factors(of: row)
                for f in 0..<model.factors { storage[i * model.factors + f] = source[r, f] }
            }
            factors = Matrix(rows: count, columns: model.factors, storage: storage)
        }
        struct Worker {
            var workspace: BrandRanker.Workspace
            var learned: LearnedWorkspace
            var scratch: VenueAssembler.Scratch
            /// The page's share of the exposure plan.
            var exposure: ExposurePlan.Workspace
            /// The block's pages; kept from block to block, so their storage is reused.
            var pages: [VenuePage] = []
        }
        struct Output {
            var json: JSONWriter
            var report: Report
        }
        var report = Report()
        let generator = self
        // A block's bytes travel to the consumer in their writer, which then comes back here for
        // a later block: no copy of the bytes and no fresh buffer per block.
        let writers = WriterPool()
        // Blocks are counted from `start`, so a run that continues at a block boundary of an
        // earlier one splits the rest as that run did.
        try ParallelChunks(rowCount: count - start, chunkSize: blockSize).stream(
            threads: threads,
            makeWorker: {
                Worker(
                    workspace: generator.ranker.makeWorkspace(blockSize: generator.learned == nil ? blockSize : 1),
                    learned: LearnedWorkspace(generator.learned), scratch: VenueAssembler.Scratch(for: generator.assembler),
                    exposure: generator.assembler.exposure.makeWorkspace())
            },
            produce: { worker, _, part in
                let chunk = start + part.lowerBound..<start + part.upperBound
                var local = Report()
                var json = writers.take()
                var pageCount = 0
                var t0 = DispatchTime.now().uptimeNanoseconds
                var rankNanos: UInt64 = 0
                var assembleNanos: UInt64 = 0
                var brands: [Int32] = []
                // Shopper `i` of the run, its candidates ranked: assemble its page.
                func assemble(_ i: Int, _ brands: ArraySlice<Int32>, _ scores: ArraySlice<Float>) {
                    let t1 = DispatchTime.now().uptimeNanoseconds
                    rankNanos += t1 - t0
                    if pageCount == worker.pages.count {
                        worker.pages.append(VenuePage())
                    }
                    generator.assembler.assemble(
                        generator.context(id(i), row: row(i), brands, scores, exposure: &worker.exposure), into: &worker.pages[pageCount],
                        scratch: &worker.scratch,
                        tally: &local.tally)
                    pageCount += 1
                    t0 = DispatchTime.now().uptimeNanoseconds
                    assembleNanos += t0 - t1
                }
                if let learned = generator.learned {
                    // A few shoppers' factor scores at a time, the brand table read once for them.
                    for first in stride(from: chunk.lowerBound, to: chunk.upperBound, by: BlendFeatures.Workspace.blockCapacity) {
                        let block = first..<min(first + BlendFeatures.Workspace.blockCapacity, chunk.upperBound)
                        worker.learned.prepare(learned, shoppers: block.lazy.map { learned.shopper(of: row($0)) })
                        for i in block {
                            worker.learned.rank(learned, shopper: learned.shopper(of: row(i)))
                            assemble(i, worker.learned.brands[...], worker.learned.scores[...])
                        }
                    }
                } else {
                    /// Ranks rows `range` of `factors`, shoppers `offset` + `range` of the run.
                    func rank(_ factors: Matrix, range: Range<Int>, offset: Int) {
                        guard !range.isEmpty else { return }
                        generator.ranker.rankBlocks(
                            generator.candidates, shopperFactors: factors, rows: range, workspace: &worker.workspace
                        ) {
                            i, ranked in
                            brands.removeAll(keepingCapacity: true)
                            for b in ranked.brands { brands.append(generator.candidateBrands[Int(b)]) }
                            assemble(i + offset, brands[...], ranked.scores[...])
                        }
                    }
                    rank(factors, range: chunk.clamped(to: 0..<split), offset: 0)
                    if let newcomers = generator.newcomers {
                        let tail = chunk.clamped(to: split..<count)
                        rank(newcomers.factors, range: tail.lowerBound - split..<tail.upperBound - split, offset: split)
                    }
                }
                rankNanos += DispatchTime.now().uptimeNanoseconds - t0
                let t2 = DispatchTime.now().uptimeNanoseconds
                for page in worker.pages[..<pageCount] {
                    generator.assembler.writeJSON(page, to: &json)
                    json.newline()
                }
                local.rankSeconds = Double(rankNanos) / 1e9
                local.assembleSeconds = Double(assembleNanos) / 1e9
                local.encodeSeconds = Double(DispatchTime.now().uptimeNanoseconds - t2) / 1e9
                return Output(json: json, report: local)
            },
            consume: { output in
                let t = DispatchTime.now().uptimeNanoseconds
                try output.json.withUnsafeBytes { try consume($0) }
                writers.put(output.json)
                report.writeSeconds += Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
                report.rankSeconds += output.report.rankSeconds
                report.assembleSeconds += output.report.assembleSeconds
                report.encodeSeconds += output.report.encodeSeconds
                report.tally.add(output.report.tally)
                try progress(report)
            })
        return report
    }

    /// Stops unless every id of `shoppers` is in ``shard`` (the others' history was not built).
    /// O(total length of the ids) with a shard.
    private func requireInShard(_ shoppers: [String]) {
        guard let shard else { return }
        for id in shoppers { precondition(shard.contains(id), "shopper \(id) is not in shard \(shard) of this generator") }
    }

    /// The row of shopper `id`: the model's, a newcomer's, or `nil` for a cold start. O(1) expected.
    private func row(of id: String) -> ShopperRow? {
        if let row = model.shopperIDs.index(of: id) { return .model(row) }
        return newcomers?.ids.index(of: id).map { .newcomer($0) }
    }

    /// The matrix and row holding the factors of `row`.
    private func factors(of row: ShopperRow) -> (matrix: Matrix, row: Int) {
        switch row {
        case .model(let r): (model.shopperFactors, r)
        case .newcomer(let r): (newcomers!.factors, r)
        }
    }

    /// What the assembler needs about shopper `id` (`row`, or `nil` for a cold start). Exposure
    /// placements, for the model's shoppers (the plan is over them), are computed into
    /// `exposure`, which the returned shopper refers to; a newcomer gets no guaranteed placement
    /// and no capped brand.
    private func context(
        _ id: String, row: ShopperRow?, _ brands: ArraySlice<Int32>, _ scores: ArraySlice<Float>,
        exposure: inout ExposurePlan.Workspace
    ) -> VenueAssembler.Shopper {
        var shopper = VenueAssembler.Shopper(id: id, at: at, candidates: (brands, scores), coupons: wallets[id])
        /// Row `r` of `history` and `followed` as the shopper's.
        func attach(_ history: SparseMatrix, _ followed: SparseMatrix, row r: Int) {
            let h = history.range(ofRow: r)
            shopper.history = (history.columnIndices[h], history.values[h])
            let f = followed.range(ofRow: r)
            shopper.followed = (followed.columnIndices[f], followed.values[f])
        }
        switch row {
        case .model(let row)?:
            assembler.exposure.place(row: row, workspace: &exposure)
            shopper.guaranteed = exposure.guaranteed[...]
            shopper.allowedCapped = exposure.allowedCapped[...]
            attach(history, followed, row: row)
        case .newcomer(let row)?: attach(newcomers!.history, newcomers!.followed, row: row)
        case nil: break
        }
        return shopper
    }
}

/// The events a shard's generator builds history from: every event of the shard's shoppers, and
/// the others' on the brands the exposure plan reads (guaranteed or capped), since the plan is
/// made over every shopper.
private struct ShardEvents: Sendable {
    /// Per shopper of the log: whether it is in the shard.
    private let own: [Bool]
    /// Per brand of the log: whether the catalog guarantees or caps its exposure (all false when
    /// the shard does not plan).
    private let planned: [Bool]

    /// The selection of `log`'s events for `shard`, with the guarantees and caps of `catalog` (or
    /// none: the plan is given). O(shoppers + brands of the log).
    init(_ log: EventLog, shard: Shard, catalog: Catalog?) {
        own = (0..<log.shopperIDs.count).map { s in log.shopperIDs.withUTF8(at: s) { shard.contains(utf8: $0) } }
        planned = (0..<log.brandIDs.count).map { b in
            catalog?[log.brandIDs[b]].map { $0.exposureGuarantee != nil || $0.exposureCap != nil } ?? false
        }
    }

    /// Whether event `i` of `log` is a shard shopper's. O(1).
    func isOwn(_ log: EventLog, _ i: Int) -> Bool { own[Int(log.shoppers[i])] }

    /// Whether event `i` of `log` is kept: a shard shopper's, or on a plan brand. O(1).
    func isKept(_ log: EventLog, _ i: Int) -> Bool { own[Int(log.shoppers[i])] || planned[Int(log.brands[i])] }
}

/// A worker's buffers for ``LearnedCandidates`` (empty when the generator ranks by factors).
private struct LearnedWorkspace {
    var features: BlendFeatures.Workspace?
    var mark: [Bool]
    /// The ranker's scored list (scratch).
    private var scored: [(brand: Int32, score: Double)] = []
    /// The last shopper's candidates, best first.
    var brands: [Int32] = []
    /// Their scores.
    var scores: [Float] = []
    /// The ranker's shoppers of the block being prepared.
    private var block: [Int32] = []

    init(_ learned: LearnedCandidates?) {
        features = learned?.ranker.features.makeWorkspace()
        mark = [Bool](repeating: false, count: learned?.brandCount ?? 0)
    }

    /// Scores `shoppers` (the ranker's indices, `nil` for those it has none for; at most
    /// ``BlendFeatures/Workspace/blockCapacity``) against every brand at once, for the
    /// ``rank(_:shopper:)`` calls that follow.
    mutating func prepare(_ learned: LearnedCandidates, shoppers: some Sequence<Int32?>) {
        block.removeAll(keepingCapacity: true)
        for s in shoppers { if let s { block.append(s) } }
        learned.ranker.features.prepare(block, workspace: &features!)
    }

    /// Ranks `shopper` (the ranker's index, `nil` for a cold start) into ``brands`` and ``scores``.
    mutating func rank(_ learned: LearnedCandidates, shopper: Int32?) {
        learned.rank(shopper: shopper, workspace: &features!, scored: &scored, mark: &mark, brands: &brands, scores: &scores)
    }
}

/// JSON writers passed from workers to the consumer and back, so blocks reuse grown buffers.
private final class WriterPool: Sendable {
    private let free = Mutex<[JSONWriter]>([])

    /// An empty writer: a returned one (keeping its capacity) or a new one.
    func take() -> JSONWriter {
        var writer = free.withLock { $0.popLast() } ?? JSONWriter()
        writer.reset()
        return writer
    }

    /// Gives `writer` back for a later block.
    func put(_ writer: JSONWriter) { free.withLock { $0.append(writer) } }
}
