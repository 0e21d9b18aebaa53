import Foundation
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
///
/// The coupons are kept in one array, each shopper's together in file order, found through an
/// ``IdentifierMap`` of the shoppers: millions of wallets cost one allocation, not one each.
public struct CouponWallets: Sendable {
    /// The shoppers holding coupons; wallet `i` is `shopperIDs[i]`'s.
    public let shopperIDs: IdentifierMap
    /// Wallet `i` is `coupons[starts[i] ..< starts[i + 1]]`.
    private let starts: [Int]
    private let coupons: [Coupon]

    /// Wallets by shopper id (shoppers in id order).
    public init(_ wallets: [String: [Coupon]]) {
        var ids = IdentifierMap()
        var owners: [Int32] = []
        var coupons: [Coupon] = []
        for (shopper, wallet) in wallets.sorted(by: { $0.key < $1.key }) where !wallet.isEmpty {
            let owner = ids.intern(shopper)
            owners.append(contentsOf: repeatElement(owner, count: wallet.count))
            coupons.append(contentsOf: wallet)
        }
        self.init(shopperIDs: ids, owners: owners, coupons: coupons)
    }

    /// The wallets of `coupons` held by `owners` (an index of `shopperIDs` per coupon), each in
    /// the coupons' order. O(coupons + shoppers).
    private init(shopperIDs: IdentifierMap, owners: [Int32], coupons: [Coupon]) {
        var starts = [Int](repeating: 0, count: shopperIDs.count + 1)
        for owner in owners { starts[Int(owner) + 1] += 1 }
        for i in 0..<shopperIDs.count { starts[i + 1] += starts[i] }
        self.shopperIDs = shopperIDs
        self.starts = starts
        guard owners.indices.dropFirst().allSatisfy({ owners[$0 - 1] <= owners[$0] }) else {
            // A counting sort, stable: each wallet keeps the coupons' order.
            var next = starts
            var grouped = [Coupon?](repeating: nil, count: coupons.count)
            for (owner, coupon) in zip(owners, coupons) {
                grouped[next[Int(owner)]] = coupon
                next[Int(owner)] += 1
            }
            self.coupons = grouped.map { $0! }
            return
        }
        self.coupons = coupons
    }

    /// The coupons of `shopper` (empty when none), in file order. O(length of the id).
    public subscript(shopper: String) -> ArraySlice<Coupon> {
        shopperIDs.index(of: shopper).map { self[wallet: $0] } ?? []
    }

    /// Wallet `i`'s coupons, in file order: `shopperIDs[i]`'s. O(1).
    public subscript(wallet i: Int) -> ArraySlice<Coupon> { coupons[starts[i]..<starts[i + 1]] }

    /// Number of coupons in all wallets.
    public var count: Int { coupons.count }

    /// Reads a coupons CSV: every wallet, or only those of the shoppers a run makes pages for: with
    /// `shard`, that shard's shoppers; with `shoppers`, those it holds (both: those of both). A run
    /// needs no others. Every row is checked either way, so a file a whole run refuses is refused by
    /// every narrower one. Errors name file, line and column. O(file size).
    public static func read(path: String, shard: Shard? = nil, shoppers: IdentifierMap? = nil) throws(InputError) -> CouponWallets {
        var ids = IdentifierMap()
        var owners: [Int32] = []
        var coupons: [Coupon] = []
        try CSVTable<Column>.read(path: path) { row in
            let shopper = row.bytes(.shopper)
            if shopper.isEmpty { row.reject(.shopper, expected: "a shopper id") }
            let id = row.required(.coupon, expected: "a coupon id")
            let kind = row.choice(.kind, CouponKind.self, expected: "red_envelope, cross_store, store or category")
            let scope = CouponScope(row.bytes(.scope))
            if scope == nil { row.reject(.scope, expected: "all, brand:ID or category:ID") }
            let threshold = row.number(.threshold, in: CSVLimits.money, expected: "a threshold from 0 to \(CSVLimits.mostMoney)")
            let amount = row.number(.amount, in: CSVLimits.money, expected: "an amount from 0 to \(CSVLimits.mostMoney)")
            let from = row.date(.validFrom)
            let until = row.date(.validUntil)
            if row.problems.isEmpty, until < from { row.reject(.validUntil, expected: "a day not before valid_from") }
            guard row.problems.isEmpty, let kind, let scope, shard?.contains(utf8: shopper) ?? true,
                shoppers.map({ $0.index(of: shopper) != nil }) ?? true
            else { return }
            owners.append(ids.intern(shopper))
            coupons.append(
                Coupon(
                    id: id, kind: kind, scope: scope, threshold: threshold, amount: amount, validFrom: from,
                    validUntil: until + 86_399))
        }
        return CouponWallets(shopperIDs: ids, owners: owners, coupons: coupons)
    }

    /// The file's columns.
    private enum Column: String, CSVColumn {
        case shopper, coupon, kind, scope, threshold, amount
        case validFrom = "valid_from"
        case validUntil = "valid_until"
    }
}

extension CouponScope {
    /// The scope `all`, `brand:ID` or `category:ID` spells (an id of at least one byte), or `nil`.
    fileprivate init?(_ bytes: UnsafeRawBufferPointer) {
        /// The id after `prefix`, when `bytes` start with it and go on.
        func id(after prefix: StaticString) -> String? {
            let count = prefix.utf8CodeUnitCount
            guard bytes.count > count, memcmp(bytes.baseAddress!, prefix.utf8Start, count) == 0 else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[count...]), as: UTF8.self)
        }
        if bytes.elementsEqual("all".utf8) {
            self = .all
        } else if let brand = id(after: "brand:") {
            self = .brand(brand)
        } else if let category = id(after: "category:") {
            self = .category(category)
        } else {
            return nil
        }
    }
}
