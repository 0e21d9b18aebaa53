import VenueLinearAlgebra

extension LearnedVenueRanker {
    /// Which brands a ranked list may hold, candidates and filling alike.
    public struct Filter: Sendable {
        /// Brands that may be ranked, as indices of the ranker's (the log's) brands: a catalog's
        /// showable brands, say; `nil` for all.
        public var eligible: BrandSet?
        /// Leave out the brands the shopper touched up to the cut (``BlendFeatures/touched(_:by:)``),
        /// so the list holds only discoveries.
        public var excludeHistory: Bool

        /// A filter; the defaults allow every brand.
        public init(eligible: BrandSet? = nil, excludeHistory: Bool = false) {
            self.eligible = eligible
            self.excludeHistory = excludeHistory
        }

        /// Whether shopper `s`'s list may hold brand `b`. O(1) expected.
        func allows(_ b: Int32, for s: Int32, in features: BlendFeatures) -> Bool {
            if let eligible, !eligible.contains(Int(b)) { return false }
            return !excludeHistory || !features.touched(b, by: s)
        }
    }

    /// One worker's buffers in ``rankAll(_:filter:threads:blockSize:produce:consume:)``.
    private struct BlockWorker {
        var features: BlendFeatures.Workspace
        var scored: [(brand: Int32, score: Double)] = []
        var list: [Entry] = []
        var block = RankedBlock<Entry>()
    }

    /// Shoppers per block of ``rankAll(_:filter:threads:blockSize:produce:consume:)`` by default.
    public static let defaultBlockSize = 256

    /// Ranks every shopper of the log (``rank(_:k:filter:workspace:)``'s lists, the same bits) on
    /// `threads` workers, `blockSize` shoppers at a time, their factor scores computed
    /// ``BlendFeatures/Workspace/blockCapacity`` shoppers at once. Each block goes to `produce` on
    /// its worker (format it there), and the results to `consume` on the calling thread, in
    /// shopper order, so the output does not depend on `threads`. Allocates nothing per shopper
    /// once a worker's buffers have grown. O(shoppers · (brands · factors + candidates · features)).
    public func rankAll<Output>(
        _ k: Int, filter: Filter = Filter(), threads: Int, blockSize: Int = defaultBlockSize,
        produce: @Sendable (RankedBlock<Entry>) -> Output,
        consume: (Output) throws -> Void
    ) rethrows {
        let chunks = ParallelChunks(rowCount: shopperIDs.count, chunkSize: blockSize)
        let ranker = self
        try chunks.stream(
            threads: threads,
            makeWorker: { BlockWorker(features: ranker.features.makeWorkspace()) },
            produce: { worker, _, chunk in
                worker.block.reset(first: chunk.lowerBound)
                let step = BlendFeatures.Workspace.blockCapacity
                for start in stride(from: chunk.lowerBound, to: chunk.upperBound, by: step) {
                    let part = start..<min(start + step, chunk.upperBound)
                    ranker.features.prepare(part.lazy.map { Int32($0) }, workspace: &worker.features)
                    for s in part {
                        ranker.rank(
                            Int32(s), k: k, filter: filter, workspace: &worker.features, scored: &worker.scored, into: &worker.list)
                        worker.block.append(worker.list)
                    }
                }
                return produce(worker.block)
            },
            consume: consume)
    }
}
