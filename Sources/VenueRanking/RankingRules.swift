import VenueInteractions

/// What every shopper's ranking obeys: which brands may be shown, per-brand offsets, and whether
/// a shopper's own brands are left out.
///
/// All of it is applied inside top-K selection, never by copying the brand table: ineligible
/// brands and offsets become one per-brand base vector added during the threshold scan.
public struct RankingRules: Sendable {
    /// Brands that may be ranked (the catalog: in the sale and not sold out); `nil` for all.
    public var eligible: BrandSet?
    /// Added to every shopper's score of brand `b` (later: exposure dual prices, popularity).
    public var offsets: [Float]?
    /// Leave out the brands in the shopper's ``ShopperSignals/owned`` row.
    public var excludeOwned: Bool
    /// Weight of the factor score `x · y` in the final score.
    public var factorWeight: Float

    /// Rules; the defaults rank every brand by factor score alone.
    public init(eligible: BrandSet? = nil, offsets: [Float]? = nil, excludeOwned: Bool = false, factorWeight: Float = 1) {
        self.eligible = eligible
        self.offsets = offsets
        self.excludeOwned = excludeOwned
        self.factorWeight = factorWeight
    }

    /// The per-brand base added in selection: the offset, or `-infinity` for an ineligible
    /// brand; `nil` when there is nothing to add. O(brands).
    func base(brandCount: Int) -> [Float]? {
        guard eligible != nil || offsets != nil else { return nil }
        if let offsets { precondition(offsets.count == brandCount, "\(offsets.count) offsets for \(brandCount) brands") }
        if let eligible { precondition(eligible.capacity == brandCount, "eligibility over \(eligible.capacity) brands, not \(brandCount)") }
        return (0..<brandCount).map { b in
            if let eligible, !eligible.contains(b) { return -.infinity }
            return offsets?[b] ?? 0
        }
    }
}

/// Per-shopper inputs to ranking, as sparse rows aligned with the shopper factor rows.
public struct ShopperSignals: Sendable {
    /// Brands each shopper already has (only the column indices are used); left out when
    /// ``RankingRules/excludeOwned`` is set.
    public var owned: SparseMatrix?
    /// Additive per-(shopper, brand) terms: own history in the blended ranker, brands the
    /// shopper holds a coupon for.
    public var boosts: SparseMatrix?

    /// Signals; none by default.
    public init(owned: SparseMatrix? = nil, boosts: SparseMatrix? = nil) {
        self.owned = owned
        self.boosts = boosts
    }
}
