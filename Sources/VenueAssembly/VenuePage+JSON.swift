import VenueInteractions

extension VenuePage {
    /// Appends the page as one line of JSON (schema `docs/venue-schema.json`, version
    /// ``VenuePage/schemaVersion``). Keys in a fixed order; prices to the cent, scores to 4
    /// decimals; identical pages give identical bytes. O(page size).
    public func writeJSON(to json: inout JSONWriter) {
        writeJSON(to: &json, fragments: BrandFragments.none)
    }

    /// The encoder; `fragments` holds each brand's constant fields, already encoded (or none).
    func writeJSON(to json: inout JSONWriter, fragments: BrandFragments) {
        json.raw("{\"schema\":")
        json.integer(Int64(Self.schemaVersion))
        json.raw(",\"shopper\":")
        json.string(shopper)
        json.raw(",\"at\":")
        json.date(at)
        json.raw(",\"floors\":[")
        var written = CouponsWritten()
        for i in floors.indices {
            let floor = floors[i]
            if i > 0 { json.raw(",") }
            json.raw("{\"id\":")
            json.string(floor.id)
            json.raw(",\"kind\":")
            json.string(floor.kind.rawValue)
            json.raw(",\"title\":")
            json.string(floor.title)
            if let category = floor.category {
                json.raw(",\"category\":")
                json.string(category)
            }
            json.raw(",\"slots\":[")
            for j in floor.slots.indices {
                if j > 0 { json.raw(",") }
                floor.slots[j].writeJSON(to: &json, fragments: fragments, coupons: &written)
            }
            json.raw("]}")
        }
        json.raw("],\"wallet\":{\"total\":")
        json.decimal(wallet.total, places: 2)
        json.raw(",\"coupons\":[")
        for (i, coupon) in wallet.coupons.enumerated() {
            if i > 0 { json.raw(",") }
            json.raw("{\"id\":")
            json.string(coupon.id)
            json.raw(",\"kind\":")
            json.string(coupon.kind.rawValue)
            json.raw(",\"scope\":")
            switch coupon.scope {
            case .all: json.raw("\"all\"")
            case .brand(let id): json.string(prefix: "brand:", id)
            case .category(let id): json.string(prefix: "category:", id)
            }
            json.raw(",\"threshold\":")
            json.decimal(coupon.threshold, places: 2)
            json.raw(",\"amount\":")
            json.decimal(coupon.amount, places: 2)
            json.raw(",\"valid_until\":")
            json.date(coupon.validUntil)
            json.raw("}")
        }
        json.raw("]}}")
    }
}

extension VenuePage.Slot {
    /// `{"brand":…,"name":…,"category":…`: the fields that never change for a brand.
    static func writeIdentity(brand: String, name: String, category: String, to json: inout JSONWriter) {
        json.raw("{\"brand\":")
        json.string(brand)
        json.raw(",\"name\":")
        json.string(name)
        json.raw(",\"category\":")
        json.string(category)
    }

    /// `,"price":…` and, when there is one, `,"deal":{…}`: the fields that depend on the brand
    /// alone (its price and allowed discount).
    static func writePricing(price: Double, deal: VenuePage.Deal?, to json: inout JSONWriter) {
        json.raw(",\"price\":")
        json.decimal(price, places: 2)
        if let deal {
            json.raw(",\"deal\":{\"percent_off\":")
            json.integer(Int64(deal.percentOff))
            json.raw(",\"price\":")
            json.decimal(deal.price, places: 2)
            json.raw("}")
        }
    }

    /// The card's JSON. `coupons` remembers where this line already holds a coupon's constant
    /// part, so cards sharing a coupon copy those bytes instead of encoding them again.
    func writeJSON(to json: inout JSONWriter, fragments: BrandFragments, coupons: inout CouponsWritten) {
        // The cache stands in only for cards the assembler made and nobody has edited since
        // (`brandIndex` ≥ 0): their identity, price and deal come from the cached catalog entry.
        let cached = fragments.range(of: brandIndex)
        if let cached {
            json.append(fragments.bytes, cached.identity)
        } else {
            Self.writeIdentity(brand: brand, name: name, category: category, to: &json)
        }
        json.raw(",\"reason\":")
        json.string(reason.rawValue)
        if let like {
            json.raw(",\"like\":{\"brand\":")
            json.string(like.brand)
            json.raw(",\"name\":")
            json.string(like.name)
            json.raw("}")
        }
        json.raw(",\"score\":")
        json.decimal(Double(score), places: 4)
        if let cached {
            json.append(fragments.bytes, cached.pricing)
        } else {
            Self.writePricing(price: price, deal: deal, to: &json)
        }
        if let coupon {
            if let earlier = coupons.range(of: coupon) {
                json.repeatWritten(earlier)
            } else {
                let start = json.count
                json.raw(",\"coupon\":{\"id\":")
                json.string(coupon.id)
                json.raw(",\"kind\":")
                json.string(coupon.kind.rawValue)
                json.raw(",\"amount\":")
                json.decimal(coupon.amount, places: 2)
                json.raw(",\"threshold\":")
                json.decimal(coupon.threshold, places: 2)
                coupons.remember(coupon, start..<json.count)
            }
            json.raw(",\"spend_more\":")
            json.decimal(coupon.spendMore, places: 2)
            json.raw("}")
        }
        json.raw(",\"final_price\":")
        json.decimal(finalPrice, places: 2)
        json.raw(",\"low_stock\":")
        json.bool(lowStock)
        json.raw("}")
    }
}

/// Where one JSON line already holds the constant part of a card's coupon (`,"coupon":{…` up to
/// its threshold), for the last few distinct coupons written: a page's cards mostly share one or
/// two coupons. Lives on the stack while a page is encoded; allocates nothing.
struct CouponsWritten {
    private struct Entry {
        var id = ""
        var kind = CouponKind.redEnvelope
        var amount = 0.0
        var threshold = 0.0
        var range = 0..<0
    }

    private var entries = (Entry(), Entry(), Entry(), Entry())
    private var count = 0

    /// The bytes already written for a coupon equal to `coupon` in every encoded field, if any.
    func range(of coupon: VenuePage.AppliedCoupon) -> Range<Int>? {
        func matches(_ e: Entry) -> Bool {
            !e.range.isEmpty && e.amount == coupon.amount && e.threshold == coupon.threshold && e.kind == coupon.kind
                && e.id == coupon.id
        }
        if matches(entries.0) { return entries.0.range }
        if matches(entries.1) { return entries.1.range }
        if matches(entries.2) { return entries.2.range }
        if matches(entries.3) { return entries.3.range }
        return nil
    }

    /// Records that `range` holds `coupon`'s constant part (replacing the oldest of four).
    mutating func remember(_ coupon: VenuePage.AppliedCoupon, _ range: Range<Int>) {
        let entry = Entry(id: coupon.id, kind: coupon.kind, amount: coupon.amount, threshold: coupon.threshold, range: range)
        switch count % 4 {
        case 0: entries.0 = entry
        case 1: entries.1 = entry
        case 2: entries.2 = entry
        default: entries.3 = entry
        }
        count += 1
    }
}

/// Each catalogued brand's constant JSON, encoded once per assembler: `{"brand":…,"name":…,
/// "category":…` and `,"price":…,"deal":{…}`, back to back in one byte array (so writing a card
/// copies two ranges and retains nothing).
struct BrandFragments: Sendable {
    /// Every brand's fragments, concatenated.
    let bytes: [UInt8]
    /// Brand `i`'s identity and pricing ranges in `bytes`: `starts[2i] ..< starts[2i+1]` and
    /// `starts[2i+1] ..< starts[2i+2]` (the next brand's start, or the end); empty for brands the
    /// catalog does not list.
    private let starts: [Int32]

    /// No fragments: every card is encoded from its fields.
    static let none = BrandFragments(entries: [], deals: [])

    /// Fragments for `entries` (by brand index), whose deals are `deals`.
    init(entries: [CatalogBrand?], deals: [VenuePage.Deal?]) {
        var json = JSONWriter()
        var starts: [Int32] = []
        starts.reserveCapacity(2 * entries.count + 1)
        for (entry, deal) in zip(entries, deals) {
            starts.append(Int32(json.count))
            if let entry { VenuePage.Slot.writeIdentity(brand: entry.id, name: entry.name, category: entry.category, to: &json) }
            starts.append(Int32(json.count))
            if let entry { VenuePage.Slot.writePricing(price: entry.price, deal: deal, to: &json) }
        }
        starts.append(Int32(json.count))
        bytes = json.bytes
        self.starts = starts
    }

    /// Brand `index`'s ranges, or `nil` when it has none (unknown index or uncatalogued brand).
    func range(of index: Int32) -> (identity: Range<Int>, pricing: Range<Int>)? {
        let i = 2 * Int(index)
        guard index >= 0, i + 2 < starts.count, starts[i] < starts[i + 1] else { return nil }
        return (Int(starts[i])..<Int(starts[i + 1]), Int(starts[i + 1])..<Int(starts[i + 2]))
    }
}
