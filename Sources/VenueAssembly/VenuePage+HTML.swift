import VenueInteractions

extension VenuePage {
    /// The page as one self-contained, mobile-width HTML document: floors of brand cards and the
    /// coupon corner, every text escaped, no external resources (inline CSS, no scripts, no
    /// images). Floors carry `data-floor` attributes so tools can find them. O(page size).
    public func html() -> String {
        var out = """
            <!doctype html>
            <html lang="zh-CN"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>双11会场 · \(Self.escape(shopper))</title>
            <style>
            body{margin:0;font-family:system-ui,"Noto Sans CJK SC",sans-serif;background:#fff1ec;color:#222;max-width:420px}
            header{background:linear-gradient(90deg,#ff2a00,#ff7a00);color:#fff;padding:16px}
            header h1{margin:0;font-size:22px}header p{margin:4px 0 0;font-size:13px}
            section{margin:10px;background:#fff;border-radius:12px;padding:10px}
            h2{font-size:16px;margin:0 0 8px;color:#ff2a00}
            .cards{display:grid;grid-template-columns:1fr 1fr;gap:8px}
            .card{border:1px solid #ffd3c4;border-radius:10px;padding:8px;background:#fffaf8}
            .name{font-weight:600;font-size:14px}.meta{font-size:11px;color:#888}
            .price{color:#ff2a00;font-size:18px;font-weight:700}.was{text-decoration:line-through;color:#aaa;font-size:12px;margin-left:4px}
            .tag{display:inline-block;font-size:11px;border-radius:4px;padding:1px 4px;margin:2px 2px 0 0;background:#ffe4da;color:#c41d00}
            .low{background:#fff0b3;color:#7a5a00}
            .coupons li{list-style:none;border:1px dashed #ff7a00;border-radius:8px;padding:6px;margin:6px 0;font-size:13px}
            .coupons ul{padding:0;margin:0}
            </style></head><body>
            <header><h1>双11 · 你的专属会场</h1><p>\(Self.escape(shopper)) · \(CalendarTime.isoDate(at))</p></header>

            """
        for floor in floors {
            out += "<section data-floor=\"\(Self.escape(floor.id))\" data-kind=\"\(floor.kind.rawValue)\">"
            out += "<h2>\(Self.escape(floor.title))\(floor.category.map { " · " + Self.escape($0) } ?? "")</h2><div class=\"cards\">"
            for slot in floor.slots {
                out += "<div class=\"card\" data-brand=\"\(Self.escape(slot.brand))\"><div class=\"name\">\(Self.escape(slot.name))</div>"
                // A placement a merchant's guarantee bought is labelled as such, as promoted slots must be.
                let reason =
                    switch (slot.reason, slot.like) {
                    case (.guaranteed, _): "品牌推广 · promoted"
                    case (.similar, let like?): "like \(Self.escape(like.name))"
                    default: slot.reason.rawValue
                    }
                out += "<div class=\"meta\">\(Self.escape(slot.category)) · \(reason)</div>"
                out += "<div><span class=\"price\">¥\(Self.money(slot.finalPrice))</span>"
                if slot.finalPrice < slot.price { out += "<span class=\"was\">¥\(Self.money(slot.price))</span>" }
                out += "</div>"
                if let deal = slot.deal { out += "<span class=\"tag\">品牌直降 \(deal.percentOff)%</span>" }
                if let coupon = slot.coupon {
                    out += "<span class=\"tag\">"
                    out +=
                        coupon.threshold > 0
                        ? "满\(Self.money(coupon.threshold))减\(Self.money(coupon.amount))" : "减\(Self.money(coupon.amount))"
                    if coupon.spendMore > 0 { out += " · 再买¥\(Self.money(coupon.spendMore))可用" }
                    out += "</span>"
                }
                if slot.lowStock { out += "<span class=\"tag low\">库存紧张</span>" }
                out += "</div>"
            }
            out += "</div></section>\n"
        }
        out += "<section class=\"coupons\" data-floor=\"wallet\"><h2>我的券 · ¥\(Self.money(wallet.total))</h2><ul>"
        for coupon in wallet.coupons {
            let rule =
                coupon.threshold > 0 ? "满\(Self.money(coupon.threshold))减\(Self.money(coupon.amount))" : "¥\(Self.money(coupon.amount))"
            out += "<li>\(Self.escape(coupon.kind.rawValue)) · \(rule) · 至 \(CalendarTime.isoDate(coupon.validUntil))</li>"
        }
        if wallet.coupons.isEmpty { out += "<li>暂无可用券</li>" }
        out += "</ul></section></body></html>\n"
        return out
    }

    /// `text` with `& < > " '` escaped for HTML text and attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    private static func money(_ yuan: Double) -> String {
        var json = JSONWriter()
        json.decimal(yuan, places: 2)
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
