import VenueInteractions

extension VenuePage {
    /// Appends the page as one line of JSON (schema `docs/venue-schema.json`, version
    /// ``VenuePage/schemaVersion``). Keys in a fixed order; prices to the cent, scores to 4
    /// decimals; identical pages give identical bytes. O(page size).
    public func writeJSON(to json: inout JSONWriter) {
        writeJSON(to: &json, fragments: nil)
    }

    /// The encoder; `fragments[i]` (when given and non-empty) holds brand `i`'s identity fields.
    func writeJSON(to json: inout JSONWriter, fragments: [[UInt8]]?) {
        json.raw("{\"schema\":")
        json.integer(Int64(Self.schemaVersion))
        json.raw(",\"shopper\":")
        json.string(shopper)
        json.raw(",\"at\":")
        json.string(CalendarTime.isoDate(at))
        json.raw(",\"floors\":[")
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
                floor.slots[j].writeJSON(to: &json, fragments: fragments)
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
            case .brand(let id): json.string("brand:" + id)
            case .category(let id): json.string("category:" + id)
            }
            json.raw(",\"threshold\":")
            json.decimal(coupon.threshold, places: 2)
            json.raw(",\"amount\":")
            json.decimal(coupon.amount, places: 2)
            json.raw(",\"valid_until\":")
            json.string(CalendarTime.isoDate(coupon.validUntil))
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

    func writeJSON(to json: inout JSONWriter, fragments: [[UInt8]]?) {
        if let fragments, brandIndex >= 0, Int(brandIndex) < fragments.count, !fragments[Int(brandIndex)].isEmpty {
            json.append(fragments[Int(brandIndex)])
        } else {
            Self.writeIdentity(brand: brand, name: name, category: category, to: &json)
        }
        json.raw(",\"reason\":")
        json.string(reason.rawValue)
        json.raw(",\"score\":")
        json.decimal(Double(score), places: 4)
        json.raw(",\"price\":")
        json.decimal(price, places: 2)
        if let deal {
            json.raw(",\"deal\":{\"percent_off\":")
            json.integer(Int64(deal.percentOff))
            json.raw(",\"price\":")
            json.decimal(deal.price, places: 2)
            json.raw("}")
        }
        if let coupon {
            json.raw(",\"coupon\":{\"id\":")
            json.string(coupon.id)
            json.raw(",\"kind\":")
            json.string(coupon.kind.rawValue)
            json.raw(",\"amount\":")
            json.decimal(coupon.amount, places: 2)
            json.raw(",\"threshold\":")
            json.decimal(coupon.threshold, places: 2)
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
