import VenueLinearAlgebra

/// The brand factor table that ranking streams through for every shopper, in single or half
/// precision.
///
/// Scoring is always in `Float`: half-precision rows are widened on the fly (F16C), which halves
/// the bytes read per shopper — the floor of single-shopper latency once the table lives in L3.
public struct BrandTable: Sendable {
    /// How the table is stored.
    public enum Precision: String, Sendable, CaseIterable {
        /// IEEE single precision.
        case float32
        /// IEEE half precision (about 3 significant digits), scored in single precision.
        case float16
    }

    /// Number of brands (rows).
    public let count: Int
    /// Factors per brand (columns).
    public let factors: Int
    /// The storage precision.
    public let precision: Precision
    // The rows, and the same table packed for block ranking (16-brand panels), in the table's
    // precision (the other precision's buffers are empty), on 64-byte boundaries for the kernels.
    private let single: AlignedBuffer<Float>
    private let half: AlignedBuffer<UInt16>
    private let singlePanels: AlignedBuffer<Float>
    private let halfPanels: AlignedBuffer<UInt16>

    /// The table of `brandFactors` (brands × factors), stored in `precision`.
    public init(_ brandFactors: Matrix, precision: Precision = .float32) {
        count = brandFactors.rows
        factors = brandFactors.columns
        self.precision = precision
        let (rows, width) = (brandFactors.rows, brandFactors.columns)
        let panels =
            rows == 0
            ? []
            : brandFactors.storage.withUnsafeBufferPointer {
                RankingKernels.packPanels(factors: width, brands: rows, table: $0.baseAddress!)
            }
        switch precision {
        case .float32:
            (single, singlePanels) = (AlignedBuffer(brandFactors.storage), AlignedBuffer(panels))
            (half, halfPanels) = (AlignedBuffer([]), AlignedBuffer([]))
        case .float16:
            (single, singlePanels) = (AlignedBuffer([]), AlignedBuffer([]))
            // Rounding commutes with packing: the panels hold the rows' half-precision values.
            half = AlignedBuffer(brandFactors.storage.map { Float16($0).bitPattern })
            halfPanels = AlignedBuffer(panels.map { Float16($0).bitPattern })
        }
    }

    /// Bytes read to score one shopper (the table also keeps a copy of the same size packed for
    /// block ranking).
    public var byteCount: Int { count * factors * (precision == .float32 ? 4 : 2) }

    /// `scores[b] ← α · (x · brand b)` for every brand. O(brands · factors).
    ///
    /// Single precision uses a four-rows-per-step AVX2 kernel rather than OpenBLAS `sgemv`: for
    /// a 10k × 64 table it measured 70 µs against `sgemv`'s 93 µs on the same machine (one thread),
    /// with the same results to within one unit in the last place.
    public func score(_ x: UnsafePointer<Float>, alpha: Float = 1, into scores: UnsafeMutablePointer<Float>) {
        score(x, alpha: alpha, brands: 0..<count, into: scores)
    }

    /// ``score(_:alpha:into:)`` for the brands in `range` only: writes `scores[b]` for `b` in
    /// `range`. A brand's score does not depend on the range when `range` starts at a multiple of
    /// 4 (the kernel's row step). O(range.count · factors).
    public func score(_ x: UnsafePointer<Float>, alpha: Float = 1, brands range: Range<Int>, into scores: UnsafeMutablePointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "brands \(range) outside 0..<\(count)")
        guard !range.isEmpty else { return }
        let first = range.lowerBound
        switch precision {
        case .float32:
            RankingKernels.gemvRows(
                factors: factors, rows: range.count, table: single.base + first * factors, x: x, alpha: alpha, y: scores + first)
        case .float16:
            RankingKernels.halfGemv(
                factors: factors, rows: range.count, table: half.base + first * factors, x: x, alpha: alpha, y: scores + first)
        }
    }

    /// Brand `b`'s factors as `Float` (widened from half precision), into `row` (`factors` long).
    func widen(brand b: Int, into row: inout [Float]) {
        switch precision {
        case .float32: for j in 0..<factors { row[j] = single[b * factors + j] }
        case .float16: for j in 0..<factors { row[j] = Float(Float16(bitPattern: half[b * factors + j])) }
        }
    }

    /// `α · (x · brand b)` for one brand. O(factors).
    public func score(brand b: Int, _ x: UnsafePointer<Float>, alpha: Float = 1) -> Float {
        var out: Float = 0
        switch precision {
        case .float32:
            RankingKernels.gemvRows(factors: factors, rows: 1, table: single.base + b * factors, x: x, alpha: alpha, y: &out)
        case .float16:
            RankingKernels.halfGemv(factors: factors, rows: 1, table: half.base + b * factors, x: x, alpha: alpha, y: &out)
        }
        return out
    }

    /// The best `keep[i]` candidates of each of `shoppers` rows of `x` by `α · (x_i · brand) +
    /// base`, scored and selected together a tile at a time (see
    /// ``RankingKernels/blockCandidates(factors:shoppers:x:brands:panels:alpha:base:keys:capacity:counts:thresholds:keep:)``);
    /// a half-precision table is widened into `widened` (``RankingKernels/candidateScratch(factors:)``
    /// floats; `nil` in single precision). O(shoppers · brands · factors).
    func candidates(
        _ x: UnsafePointer<Float>, shoppers: Int, alpha: Float, base: UnsafePointer<Float>?, widened: UnsafeMutablePointer<Float>?,
        keys: UnsafeMutablePointer<UInt64>, capacity: Int, counts: UnsafeMutablePointer<Int64>,
        thresholds: UnsafeMutablePointer<Float>, keep: UnsafePointer<Int64>
    ) {
        func run(_ panels: RankingKernels.Panels) {
            RankingKernels.blockCandidates(
                factors: factors, shoppers: shoppers, x: x, brands: count, panels: panels, alpha: alpha, base: base, keys: keys,
                capacity: capacity, counts: counts, thresholds: thresholds, keep: keep)
        }
        switch precision {
        case .float32: run(.single(singlePanels.base))
        case .float16: run(.half(halfPanels.base, widened: widened!))
        }
    }

    /// Scores a block of shoppers: `scores[i·count + b] ← α · (X[i] · brand b)` for the `shoppers`
    /// rows of `x` (row-major, `factors` wide), with one `sgemm`. Half-precision tables are widened
    /// a tile of brands at a time into `widened`, so each tile is converted once per block.
    /// O(shoppers · brands · factors).
    public func scoreBlock(
        _ x: UnsafePointer<Float>, shoppers: Int, alpha: Float = 1, into scores: UnsafeMutablePointer<Float>,
        widened: inout [Float]
    ) {
        guard count > 0, shoppers > 0 else { return }
        switch precision {
        case .float32:
            BLAS.gemm(
                .none, .transpose, m: shoppers, n: count, k: factors, alpha: alpha, a: x, lda: factors, b: single.base, ldb: factors,
                beta: 0, c: scores, ldc: count)
        case .float16:
            let tile = BrandTable.halfTile
            if widened.count < tile * factors { widened = [Float](repeating: 0, count: tile * factors) }
            widened.withUnsafeMutableBufferPointer { w in
                var start = 0
                while start < count {
                    let n = min(tile, count - start)
                    RankingKernels.halfToFloat(count: n * factors, from: half.base + start * factors, to: w.baseAddress!)
                    BLAS.gemm(
                        .none, .transpose, m: shoppers, n: n, k: factors, alpha: alpha, a: x, lda: factors, b: w.baseAddress!,
                        ldb: factors, beta: 0, c: scores + start, ldc: count)
                    start += n
                }
            }
        }
    }

    /// Brands widened per `sgemm` call for half-precision block scoring (512 KiB of `Float` at 64
    /// factors: about one L2, reused by every shopper of the block).
    static let halfTile = 2048
}
