import VenueInteractions

/// The kinds of coupon a shopper can hold on Double 11.
public enum CouponKind: String, Sendable, CaseIterable {
    /// Platform cash (红包): a fixed amount off anything, no or a low threshold.
    case redEnvelope = "red_envelope"
    /// Platform 满减 across stores: `amount` off once the order reaches `threshold`.
    case crossStore = "cross_store"
    /// A merchant's own coupon, valid in one brand's store.
    case store
    /// A platform coupon for one category.
    case category

    /// The order coupons stack in, as Taobao applies them: store first, then category, then
    /// cross-store 满减, then red envelopes.
    public var stackingOrder: Int {
        switch self {
        case .store: 0
        case .category: 1
        case .crossStore: 2
        case .redEnvelope: 3
        }
    }
}

/// Where a coupon applies.
public enum CouponScope: Sendable, Hashable {
    /// Everything.
    case all
    /// One brand's store.
    case brand(String)
    /// One category.
    case category(String)

    /// Whether the coupon applies to `brand`.
    public func covers(_ brand: CatalogBrand) -> Bool {
        switch self {
        case .all: true
        case .brand(let id): id == brand.id
        case .category(let id): id == brand.category
        }
    }
}

/// One coupon in a shopper's wallet.
public struct Coupon: Sendable, Hashable {
    /// Coupon id.
    public var id: String
    /// The kind.
    public var kind: CouponKind
    /// Where it applies.
    public var scope: CouponScope
    /// The order value it needs, in yuan (0: none).
    public var threshold: Double
    /// Yuan off.
    public var amount: Double
    /// First valid moment (Unix seconds, midnight UTC of the first day).
    public var validFrom: Int64
    /// Last valid moment (Unix seconds, the last second of the last day).
    public var validUntil: Int64

    /// A coupon.
    public init(id: String, kind: CouponKind, scope: CouponScope, threshold: Double, amount: Double, validFrom: Int64, validUntil: Int64) {
        self.id = id
        self.kind = kind
        self.scope = scope
        self.threshold = threshold
        self.amount = amount
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// Whether the coupon can be used at `time`.
    public func isValid(at time: Int64) -> Bool { validFrom <= time && time <= validUntil }
}

/// Every shopper's coupons.
///
/// CSV columns (header required): `shopper,coupon,kind,scope,threshold,amount,valid_from,
/// valid_until`; `kind` is `red_envelope`, `cross_store`, `store` or `category`; `scope` is
/// `all`, `brand:ID` or `category:ID`; `threshold` and `amount` are yuan, 0 to ¥1 billion;
/// dates are `YYYY-MM-DD`, both days included.
public struct CouponWallets: Sendable {
    private let wallets: [String: [Coupon]]

    /// Wallets by shopper id.
    public init(_ wallets: [String: [Coupon]]) { self.wallets = wallets }

    /// The coupons of `shopper` (empty when none), in file order.
    public subscript(shopper: String) -> [Coupon] { wallets[shopper] ?? [] }

    /// Number of coupons in all wallets.
    public var count: Int { wallets.values.reduce(0) { $0 + $1.count } }

    /// Reads a coupons CSV. Errors name file, line and column. O(file size).
    public static func read(path: String) throws(InputError) -> CouponWallets {
        var wallets: [String: [Coupon]] = [:]
        try CSVTable.read(
            path: path, required: ["shopper", "coupon", "kind", "scope", "threshold", "amount", "valid_from", "valid_until"]
        ) { row in
            let shopper = row.required("shopper", expected: "a shopper id")
            let id = row.required("coupon", expected: "a coupon id")
            let kind = row.choice("kind", CouponKind.self, expected: "red_envelope, cross_store, store or category")
            let scopeText = row.text("scope")
            var scope: CouponScope?
            if scopeText == "all" {
                scope = .all
            } else if scopeText.hasPrefix("brand:"), scopeText.count > 6 {
                scope = .brand(String(scopeText.dropFirst(6)))
            } else if scopeText.hasPrefix("category:"), scopeText.count > 9 {
                scope = .category(String(scopeText.dropFirst(9)))
            } else {
                row.reject("scope", expected: "all, brand:ID or category:ID")
            }
            let threshold = row.number("threshold", in: CSVTable.money, expected: "a threshold from 0 to \(CSVTable.mostMoney)")
            let amount = row.number("amount", in: CSVTable.money, expected: "an amount from 0 to \(CSVTable.mostMoney)")
            let from = row.date("valid_from")
            let until = row.date("valid_until")
            if row.problems.isEmpty, until < from { row.reject("valid_until", expected: "a day not before valid_from") }
            guard row.problems.isEmpty, let kind, let scope else { return }
            wallets[shopper, default: []].append(
                Coupon(
                    id: id, kind: kind, scope: scope, threshold: threshold, amount: amount, validFrom: from,
                    validUntil: until + 86_399))
        }
        return CouponWallets(wallets)
    }
}
