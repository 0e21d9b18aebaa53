import CVenueKernels

/// Kernels for top-K ranking: a vectorised "which scores beat the threshold" scan and
/// half-precision (IEEE binary16) brand tables scored in single precision.
///
/// AVX2 (AVX-512 for block candidates) and F16C paths are chosen at run time, with portable
/// fallbacks.
public enum RankingKernels {
    /// Brands per chunk of ``blockCandidates(factors:shoppers:x:brands:panels:alpha:base:keys:capacity:counts:thresholds:keep:)``:
    /// the half-precision form widens a chunk at a time.
    public static var candidateChunk: Int { Int(venue_block_candidates_chunk()) }

    /// Floats in the scratch that half-precision panels are widened into, for `factors` factors:
    /// a chunk of brands, and room to start them on a 64-byte boundary.
    public static func candidateScratch(factors: Int) -> Int { Int(venue_block_candidates_scratch(Int32(factors))) }

    /// The brand table as block ranking reads it: packed by ``packPanels(factors:brands:table:)``,
    /// in single precision, or the same panels in IEEE half precision, widened exactly a chunk of
    /// brands at a time into a scratch of ``candidateScratch(factors:)`` floats. Panels on a
    /// 64-byte boundary (``AlignedBuffer``) are read a cache line per vector.
    public enum Panels {
        /// Single-precision panels.
        case single(UnsafePointer<Float>)
        /// Half-precision panels (bit patterns) and the scratch they are widened into.
        case half(UnsafePointer<UInt16>, widened: UnsafeMutablePointer<Float>)

        /// The kernel's arguments: single-precision panels, or half-precision ones and their scratch.
        @usableFromInline var pointers: (UnsafePointer<Float>?, UnsafePointer<UInt16>?, UnsafeMutablePointer<Float>?) {
            switch self {
            case .single(let panels): (panels, nil, nil)
            case .half(let panels, let widened): (nil, panels, widened)
            }
        }
    }

    /// Scoring fused with candidate selection for a block of shoppers, without writing the
    /// shoppers × brands score matrix: shopper `i` (row `i` of `x`) scores brand `j` as
    /// `alpha · (x_i · brand j) + base[j]`, the brands read from `panels`, a tile of 6 shoppers ×
    /// 16 brands at a time in registers (AVX2+FMA; 12 shoppers with AVX-512, the same bits; a
    /// portable fallback). Only scores above `thresholds[i]` (the caller's starting value,
    /// `-infinity` for none) are kept; each shopper's list, `keys + i · capacity`, ends with
    /// `counts[i]` ``key(score:index:)`` keys in no order that include the best `keep[i]` of them
    /// (all of them, and `counts[i] < keep[i]`, when fewer pass); NaN and `-infinity` never pass.
    /// `capacity` ≥ `keep[i] + 16`. O(shoppers · brands · factors).
    @inlinable
    public static func blockCandidates(
        factors: Int, shoppers m: Int, x: UnsafePointer<Float>, brands n: Int, panels: Panels, alpha: Float,
        base: UnsafePointer<Float>?, keys: UnsafeMutablePointer<UInt64>, capacity: Int, counts: UnsafeMutablePointer<Int64>,
        thresholds: UnsafeMutablePointer<Float>, keep: UnsafePointer<Int64>
    ) {
        let (single, half, widened) = panels.pointers
        venue_block_candidates(
            Int32(factors), Int64(m), x, Int64(n), single, half, alpha, base, widened, keys, Int64(capacity), counts, thresholds,
            keep)
    }

    /// ``blockCandidates(factors:shoppers:x:brands:panels:alpha:base:keys:capacity:counts:thresholds:keep:)``
    /// on the path for `instructionSet`, to compare the paths. Returns false, writing nothing,
    /// when that set is wider than ``InstructionSet/current``.
    package static func blockCandidates(
        on instructionSet: InstructionSet, factors: Int, shoppers m: Int, x: UnsafePointer<Float>, brands n: Int, panels: Panels,
        alpha: Float, base: UnsafePointer<Float>?, keys: UnsafeMutablePointer<UInt64>, capacity: Int,
        counts: UnsafeMutablePointer<Int64>, thresholds: UnsafeMutablePointer<Float>, keep: UnsafePointer<Int64>
    ) -> Bool {
        let (single, half, widened) = panels.pointers
        return venue_block_candidates_at(
            Int32(instructionSet.rawValue), Int32(factors), Int64(m), x, Int64(n), single, half, alpha, base, widened, keys,
            Int64(capacity), counts, thresholds, keep) == 0
    }

    /// The `n × factors` row-major `table` packed for ``blockCandidates(factors:shoppers:x:brands:panels:alpha:base:keys:capacity:counts:thresholds:keep:)``:
    /// panels of 16 brands, factor-major, zero-padded (`⌈n/16⌉ · 16 · factors` floats).
    public static func packPanels(factors: Int, brands n: Int, table: UnsafePointer<Float>) -> [Float] {
        [Float](unsafeUninitializedCapacity: (n + 15) / 16 * 16 * factors) { buffer, count in
            venue_pack_panels(Int32(factors), Int64(n), table, buffer.baseAddress!)
            count = buffer.count
        }
    }

    /// Finds every `j` in `0 ..< count` whose adjusted score `scores[j] + base[j]` (or
    /// `scores[j]` without a base) is greater than `threshold`, in ascending order, and writes
    /// ``key(score:index:)`` of `(adjusted score, first + j)` to `keys`; returns how many. NaN
    /// never passes, and neither does `-infinity` (how a base marks a brand as ineligible).
    /// `keys` must hold `count` elements. O(count).
    @inlinable
    public static func selectKeysAbove(
        scores: UnsafePointer<Float>, base: UnsafePointer<Float>?, count: Int, threshold: Float, first: Int32,
        keys: UnsafeMutablePointer<UInt64>
    ) -> Int {
        Int(venue_select_keys_above(scores, base, Int64(count), threshold, first, keys))
    }

    /// `maxima[i]` ← the largest adjusted score (see ``selectKeysAbove(scores:base:count:threshold:first:keys:)``)
    /// in block `i` of `block` elements (a positive multiple of 8); NaN is ignored, and a block
    /// without numbers gives `-infinity`. `maxima` holds ⌈count / block⌉ elements. O(count).
    @inlinable
    public static func blockMaxima(
        scores: UnsafePointer<Float>, base: UnsafePointer<Float>?, count: Int, block: Int, maxima: UnsafeMutablePointer<Float>
    ) {
        venue_block_max(scores, base, Int64(count), Int32(block), maxima)
    }

    /// A key that orders (score, index) pairs as ranking does: a larger key has a higher score,
    /// or the same score and a lower index. The score's bits are made order-preserving (−0
    /// counts as +0) and kept in the high half; the complemented index fills the low half.
    @inlinable
    public static func key(score: Float, index: Int32) -> UInt64 {
        let bits = (score + 0).bitPattern
        let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return UInt64(ordered) << 32 | UInt64(~UInt32(bitPattern: index))
    }

    /// Keeps the `keep` largest of the `count` distinct keys in `keys[0 ..< keep]` (quickselect),
    /// sets `count` to `keep` and returns the smallest kept score: the new threshold. The same
    /// compaction the block kernel runs on its candidate lists. Expected O(count).
    @inlinable
    public static func compactKeys(_ keys: UnsafeMutablePointer<UInt64>, count: inout Int, keep: Int) -> Float {
        precondition(keep > 0 && keep <= count, "keep \(keep) of \(count) keys")
        var n = Int64(count)
        let threshold = venue_compact_keys(keys, &n, Int64(keep))
        count = Int(n)
        return threshold
    }

    /// The score of a ``key(score:index:)``.
    @inlinable
    public static func score(ofKey key: UInt64) -> Float {
        let ordered = UInt32(truncatingIfNeeded: key >> 32)
        return Float(bitPattern: ordered & 0x8000_0000 != 0 ? ordered & 0x7FFF_FFFF : ~ordered)
    }

    /// The index of a ``key(score:index:)``.
    @inlinable
    public static func index(ofKey key: UInt64) -> Int32 {
        Int32(bitPattern: ~UInt32(truncatingIfNeeded: key))
    }

    /// `y[i] ← β·y[i] + α·(A[i] · x)` over the `rows` rows of a half-precision table `A` (bit
    /// patterns, `factors` per row), converted exactly to `Float`. O(rows · factors).
    @inlinable
    public static func halfGemv(
        factors: Int, rows: Int, table: UnsafePointer<UInt16>, x: UnsafePointer<Float>,
        alpha: Float = 1, beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        venue_half_gemv(Int32(factors), Int64(rows), table, x, alpha, beta, y)
    }

    /// `y[i] ← β·y[i] + α·(A[i] · x)` over the `rows` rows of a row-major `Float` table, four rows
    /// per step. O(rows · factors).
    @inlinable
    public static func gemvRows(
        factors: Int, rows: Int, table: UnsafePointer<Float>, x: UnsafePointer<Float>,
        alpha: Float = 1, beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        venue_gemv_rows(Int32(factors), Int64(rows), table, x, alpha, beta, y)
    }

    /// ``gemvRows(factors:rows:table:x:alpha:beta:y:)`` with β = 0 for `vectors` vectors at once:
    /// `y[v · ldy + i] ← α·(A[i] · x[v])`, where `x[v]` is row `v` of the row-major `x` (`factors`
    /// floats each). Every score has the same bits as scoring that vector alone, while the table is
    /// read once per group of rows for all the vectors instead of once per vector.
    /// O(vectors · rows · factors).
    @inlinable
    public static func gemvRows(
        factors: Int, rows: Int, table: UnsafePointer<Float>, vectors: Int, x: UnsafePointer<Float>, alpha: Float = 1,
        y: UnsafeMutablePointer<Float>, ldy: Int
    ) {
        venue_gemv_rows_multi(Int32(factors), Int64(rows), table, Int64(vectors), x, alpha, y, Int64(ldy))
    }

    /// `output[i] = Float(input[i])` for `count` half-precision bit patterns (exact). O(count).
    @inlinable
    public static func halfToFloat(count: Int, from input: UnsafePointer<UInt16>, to output: UnsafeMutablePointer<Float>) {
        venue_half_to_float(Int64(count), input, output)
    }

    /// Whether the F16C path is in use on this machine.
    public static var usesF16C: Bool { venue_kernels_use_f16c() != 0 }
}
