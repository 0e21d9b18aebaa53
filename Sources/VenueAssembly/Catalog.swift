import VenueInteractions
import VenueRanking

/// Whether a brand has stock for the sale.
public enum StockLevel: String, Sendable, CaseIterable {
    /// Plenty.
    case inStock = "in_stock"
    /// Running low (still shown).
    case low
    /// None left: never shown.
    case soldOut = "sold_out"
}

/// One brand of the sale catalog.
public struct CatalogBrand: Sendable, Equatable {
    /// Brand id, as in the events.
    public var id: String
    /// Display name.
    public var name: String
    /// Category id.
    public var category: String
    /// Merchant id.
    public var merchant: String
    /// A typical price in yuan.
    public var price: Double
    /// Whether the brand takes part in the sale.
    public var participating: Bool
    /// Stock.
    public var stock: StockLevel
    /// The deepest discount the brand allows, in percent (0–90).
    public var maxDiscountPercent: Int
    /// Impressions the merchant was promised, if any (kept for the exposure plan).
    public var exposureGuarantee: Int?
    /// Most impressions the merchant accepts, if capped.
    public var exposureCap: Int?

    /// Whether the brand may appear on any venue: in the sale and not sold out.
    public var isShowable: Bool { participating && stock != .soldOut }

    /// A catalog entry.
    public init(
        id: String, name: String, category: String, merchant: String, price: Double, participating: Bool,
        stock: StockLevel, maxDiscountPercent: Int, exposureGuarantee: Int? = nil, exposureCap: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.category = category
        self.merchant = merchant
        self.price = price
        self.participating = participating
        self.stock = stock
        self.maxDiscountPercent = maxDiscountPercent
        self.exposureGuarantee = exposureGuarantee
        self.exposureCap = exposureCap
    }
}

/// The sale catalog: every brand's display data, stock and discount rules.
///
/// CSV columns (any order, header required): `brand,name,category,merchant,price,participating,
/// stock,max_discount` and optionally `exposure_guarantee,exposure_cap`. `participating` is
/// `yes`/`no`; `stock` is `in_stock`, `low` or `sold_out`; `max_discount` is a percent 0–90;
/// `price` is in yuan, 0 to ¥1 billion.
public struct Catalog: Sendable, Equatable {
    /// Brands in file order.
    public let brands: [CatalogBrand]
    private let positions: [String: Int]

    /// A catalog of `brands`; a later duplicate id replaces nothing (the first wins).
    public init(brands: [CatalogBrand]) {
        self.brands = brands
        var positions: [String: Int] = [:]
        for (i, brand) in brands.enumerated() where positions[brand.id] == nil { positions[brand.id] = i }
        self.positions = positions
    }

    /// The entry for brand `id`.
    public subscript(id: String) -> CatalogBrand? { positions[id].map { brands[$0] } }

    /// Reads a catalog CSV. Errors name file, line and column. O(file size).
    public static func read(path: String) throws(InputError) -> Catalog {
        var brands: [CatalogBrand] = []
        var seen: Set<String> = []
        try CSVTable<Column>.read(path: path) { row in
            let id = row.required(.brand, expected: "a brand id")
            if !id.isEmpty, !seen.insert(id).inserted { row.reject(.brand, expected: "a brand id not listed before") }
            let name = row.required(.name, expected: "a display name")
            let category = row.required(.category, expected: "a category id")
            let merchant = row.required(.merchant, expected: "a merchant id")
            let price = row.number(.price, in: CSVLimits.money, expected: "a price from 0 to \(CSVLimits.mostMoney)")
            let participating = row.choice(.participating, YesNo.self, expected: "yes or no")
            let stock = row.choice(.stock, StockLevel.self, expected: "in_stock, low or sold_out")
            let discount = row.number(.maxDiscount, in: 0...90, expected: "a whole percent from 0 to 90")
            if discount > 90 || discount != discount.rounded() { row.reject(.maxDiscount, expected: "a whole percent from 0 to 90") }
            let guarantee = row.optionalCount(.exposureGuarantee, expected: "a whole number of impressions or nothing")
            let cap = row.optionalCount(.exposureCap, expected: "a whole number of impressions or nothing")
            if let guarantee, let cap, cap < guarantee {
                row.reject(.exposureCap, expected: "a cap not below the guarantee \(guarantee)")
            }
            guard row.problems.isEmpty, let participating, let stock else { return }
            brands.append(
                CatalogBrand(
                    id: id, name: name, category: category, merchant: merchant, price: price,
                    participating: participating == .yes, stock: stock, maxDiscountPercent: Int(discount),
                    exposureGuarantee: guarantee, exposureCap: cap))
        }
        return Catalog(brands: brands)
    }

    /// The brands of `brandIDs` (a model's brand order) that may be shown: in this catalog, in
    /// the sale and not sold out. Brands the catalog does not list are never shown. O(brands).
    public func showable(among brandIDs: IdentifierMap) -> BrandSet {
        var set = BrandSet(capacity: brandIDs.count)
        for b in 0..<brandIDs.count where self[brandIDs[b]]?.isShowable == true { set.insert(b) }
        return set
    }

    private enum YesNo: String { case yes, no }

    /// The file's columns.
    private enum Column: String, CSVColumn {
        case brand, name, category, merchant, price, participating, stock
        case maxDiscount = "max_discount"
        case exposureGuarantee = "exposure_guarantee"
        case exposureCap = "exposure_cap"

        static let optional: [Column] = [.exposureGuarantee, .exposureCap]
    }
}
