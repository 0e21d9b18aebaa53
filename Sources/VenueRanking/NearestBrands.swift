/// Every brand's nearest brands, best first, ranked once by ``SimilarBrands`` (under its measure) and
/// kept in one flat table: what a venue's "like the brands you love" floor reads for each shopper
/// without ranking anything per page.
///
/// Memory: brands · perBrand · 8 bytes (10k brands, 12 each: about 1 MB).
public struct NearestBrands: Sendable, Equatable {
    /// The most brands listed per brand; a list is shorter when fewer brands are eligible.
    public let perBrand: Int
    /// Where each brand's list starts in `brands` and `scores`; brand b's list is
    /// `starts[b]..<starts[b + 1]`.
    @usableFromInline var starts: [Int]
    @usableFromInline var brands: [Int32]
    @usableFromInline var scores: [Float]

    /// Each brand's `perBrand` most similar brands under `similar`'s rules (never the brand itself,
    /// only its eligible brands), ranked on `threads` workers. The lists equal
    /// ``SimilarBrands/similar(to:k:)``'s, on any thread count. O(brands² · factors).
    public init(_ similar: SimilarBrands, perBrand: Int, threads: Int) {
        precondition(perBrand >= 0, "negative list length \(perBrand)")
        self.perBrand = perBrand
        var starts = [0]
        starts.reserveCapacity(similar.count + 1)
        var brands: [Int32] = []
        brands.reserveCapacity(similar.count * perBrand)
        var scores: [Float] = []
        scores.reserveCapacity(similar.count * perBrand)
        similar.rankAll(
            perBrand, threads: threads,
            produce: { block in
                block.shoppers.map { b in (block[b].map(\.brand), block[b].map(\.score)) }
            },
            consume: { lists in
                for (listed, similarities) in lists {
                    brands += listed
                    scores += similarities
                    starts.append(brands.count)
                }
            })
        self.starts = starts
        self.brands = brands
        self.scores = scores
    }

    /// Number of brands.
    public var count: Int { starts.count - 1 }

    /// Brand `brand`'s `rank`-th nearest brand (0: the nearest) and its score, or `nil` past the
    /// end of its list. O(1), and no reference counting: for per-page loops.
    @inlinable
    public func neighbour(of brand: Int, rank: Int) -> (brand: Int32, score: Float)? {
        precondition(brand >= 0 && brand < count, "brand \(brand) is not among \(count) brands")
        let i = starts[brand] + rank
        guard rank >= 0, i < starts[brand + 1] else { return nil }
        return (brands[i], scores[i])
    }

    /// Brand `brand`'s nearest brands and their scores, best first. O(1).
    public subscript(brand: Int) -> (brands: ArraySlice<Int32>, scores: ArraySlice<Float>) {
        precondition(brand >= 0 && brand < count, "brand \(brand) is not among \(count) brands")
        let range = starts[brand]..<starts[brand + 1]
        return (brands[range], scores[range])
    }
}
