/// One shopper's venue page: floors of brand cards and the coupon corner. Version 1 of the schema
/// in `docs/venue-schema.json`.
public struct VenuePage: Sendable, Equatable {
    /// Schema version written with every page.
    public static let schemaVersion = 1

    /// The shopper.
    public var shopper: String
    /// The moment the page is for (Unix seconds).
    public var at: Int64
    /// Floors, top to bottom; floors without slots are left out.
    public var floors: [Floor]
    /// The coupon corner.
    public var wallet: Wallet

    /// An empty page, for ``VenueAssembler/assemble(_:into:scratch:tally:)`` to fill and refill.
    public init() {
        shopper = ""
        at = 0
        floors = []
        wallet = Wallet(coupons: [], total: 0)
    }

    /// A floor of the page.
    public struct Floor: Sendable, Equatable {
        /// Floor id (category floors: the layout id, a colon, the category).
        public var id: String
        /// What the floor shows.
        public var kind: VenueLayout.FloorKind
        /// Title.
        public var title: String
        /// The category of a category floor.
        public var category: String?
        /// Brand cards, in order.
        public var slots: [Slot]
    }

    /// A brand card.
    public struct Slot: Sendable, Equatable {
        /// Brand id.
        public var brand: String { didSet { brandIndex = -1 } }
        /// Display name.
        public var name: String { didSet { brandIndex = -1 } }
        /// Category id.
        public var category: String { didSet { brandIndex = -1 } }
        /// Why it is here.
        public var reason: Reason
        /// The ranking score that placed it.
        public var score: Float
        /// Typical price, yuan.
        public var price: Double { didSet { brandIndex = -1 } }
        /// The brand's own deal, within its allowed discount, or `nil`.
        public var deal: Deal? { didSet { brandIndex = -1 } }
        /// The best coupon for this brand, or `nil` when the shopper has none that applies.
        public var coupon: AppliedCoupon?
        /// The price after the deal and the shopper's coupons, one per kind (the largest amount
        /// reachable at the deal price; of equal amounts, the lowest threshold), stacked in
        /// Taobao's order (store, category, cross-store, red envelope), each applied only while the
        /// running price reaches its threshold; never below zero.
        public var finalPrice: Double
        /// Stock is running low.
        public var lowStock: Bool
        /// On a ``VenueLayout/FloorKind/similar`` floor: the shopper's brand this one is like.
        public var like: Like? = nil
        /// The brand's index in the assembler's brand order (−1 when unknown): lets the assembler
        /// write the brand's constant JSON from a cache. Changing any of the cached fields
        /// (identity, price, deal) sets it back to −1, so an edited card is encoded from its fields.
        var brandIndex: Int32 = -1
    }

    /// The brand a ``Reason/similar`` card is like: one the shopper loves.
    public struct Like: Sendable, Equatable {
        /// Brand id.
        public var brand: String
        /// Display name.
        public var name: String
    }

    /// Why a brand is on the page.
    public enum Reason: String, Sendable, CaseIterable {
        /// The shopper follows or favourited it.
        case followed
        /// A discovery from the factor model.
        case picked
        /// Like a brand the shopper loves (``Slot/like``).
        case similar
        /// One of the shopper's top categories.
        case category
        /// Popular now.
        case popular
        /// Placed for the merchant's exposure guarantee (``ExposurePlan``).
        case guaranteed
    }

    /// A brand's own discount.
    public struct Deal: Sendable, Equatable {
        /// Percent off (never more than the catalog's `max_discount`).
        public var percentOff: Int
        /// The price after it.
        public var price: Double
    }

    /// The best coupon for a card.
    public struct AppliedCoupon: Sendable, Equatable {
        /// Coupon id.
        public var id: String
        /// Kind.
        public var kind: CouponKind
        /// Yuan off.
        public var amount: Double
        /// Order value it needs.
        public var threshold: Double
        /// How much more to spend to reach the threshold at the deal price (0: reached).
        public var spendMore: Double
    }

    /// The coupon corner: every valid coupon once.
    public struct Wallet: Sendable, Equatable {
        /// Valid coupons, soonest expiry first (then id).
        public var coupons: [Coupon]
        /// Their total face value.
        public var total: Double
    }
}
