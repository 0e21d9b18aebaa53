import Foundation
import VenueFactorization
import VenueInteractions
import VenueRanking

extension ExposurePlan {
    /// A plan as `venue plan` saves it: the allocation, and what else a shard needs of the whole
    /// population to make its pages from its own shoppers' factors and events alone (the brands'
    /// popularity), with what it was made from.
    public struct Saved: Sendable {
        /// The guarantees' and caps' allocation.
        public var allocation: Allocation
        /// The population's purchases per model brand up to the plan's day
        /// (``VenueBlend/popularityCounts(_:at:brands:)``): whole numbers from 0 to 2²⁴.
        public var popularityCounts: [Float]
        /// What the plan was made from besides the model's shape and the catalog, as the reader
        /// must find it again: a model's checksum, the events', their format, the day (ISO date).
        public var madeFrom: [String: String]

        /// The moment the plan's pages are for (midnight UTC of `madeFrom["at"]`), if it names a
        /// day: a plan read back always does.
        public var day: Int64? { madeFrom["at"].flatMap(CalendarTime.day) }

        /// A saved plan of these parts.
        public init(allocation: Allocation, popularityCounts: [Float], madeFrom: [String: String]) {
            self.allocation = allocation
            self.popularityCounts = popularityCounts
            self.madeFrom = madeFrom
        }
    }
}

extension ExposurePlan.Saved {
    /// The format version ``json(brandIDs:)`` writes and
    /// ``read(path:model:population:catalog:madeFrom:)`` reads.
    public static let fileVersion = 2

    /// The plan as a JSON document, one plan brand per line, with its brands named by `brandIDs`
    /// (the model's), then the popularity counts in model order. Scores are written as the
    /// shortest decimals that read back to the same `Float`, as strings (`"inf"` and `"-inf"` for
    /// the two ends), so a plan read back is bit for bit the plan written:
    ///
    /// ```
    /// {"version":2,"made_from":{"at":"2026-10-21",…},"shoppers":1000000,"brands":10000,"per_page":2,"lines":[
    /// {"brand":"B00017","guarantee":5000,"cap":null,"showable":true,"planned":5000,"order":0,
    ///  "guarantee_threshold":["0.8123",41],"last_allowed_toucher":-1,"cap_threshold":["inf",-1]},
    /// …],
    /// "popularity":[120,0,37,…],"check":"5f0c…"}
    /// ```
    ///
    /// `order` is the line's place among the guarantees in the order they chose shoppers (`null`
    /// when it placed nothing); a threshold is the (score, row) of the last shopper admitted. The
    /// last key, `check`, is a ``WordChecksum`` of the text before `,"check"` (hexadecimal).
    /// O(brands).
    public func json(brandIDs: IdentifierMap) -> String {
        precondition(
            popularityCounts.allSatisfy { (0...Float(Self.mostCount)).contains($0) && $0.rounded() == $0 },
            "popularity counts are whole numbers from 0 to 2^24, as popularityCounts(_:at:brands:) makes them")
        let allocation = self.allocation
        let lines = allocation.lines
        var order = [Int?](repeating: nil, count: lines.count)
        for (position, l) in allocation.guaranteeOrder.enumerated() { order[Int(l)] = position }
        func quoted(_ text: String) -> String {
            var writer = JSONWriter()
            writer.string(text)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
        func threshold(_ t: ExposurePlan.Threshold) -> String { "[\(quoted(t.score.description)),\(t.row)]" }
        let sources = madeFrom.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\(quoted($0.value))" }
        var text =
            "{\"version\":\(Self.fileVersion),\"made_from\":{\(sources.joined(separator: ","))},\"shoppers\":\(allocation.shoppers),"
            + "\"brands\":\(allocation.brands),\"per_page\":\(allocation.perPage),\"lines\":["
        for (l, line) in lines.enumerated() {
            text += l == 0 ? "\n" : ",\n"
            text +=
                "{\"brand\":\(quoted(brandIDs[Int(line.brand)])),\"guarantee\":\(line.guarantee.map(String.init) ?? "null"),"
                + "\"cap\":\(line.cap.map(String.init) ?? "null"),\"showable\":\(line.showable),\"planned\":\(line.planned),"
                + "\"order\":\(order[l].map(String.init) ?? "null"),"
                + "\"guarantee_threshold\":\(threshold(allocation.guaranteeThreshold[l])),"
                + "\"last_allowed_toucher\":\(allocation.lastAllowedToucher[l]),"
                + "\"cap_threshold\":\(threshold(allocation.capThreshold[l]))}"
        }
        text += "\n],\n\"popularity\":[" + popularityCounts.map { String(Int($0)) }.joined(separator: ",") + "]"
        // Last, a checksum of the text before it: a plan changed by hand or damaged on the way
        // is refused, rather than breaking a merchant's cap.
        let check = String(text.withUTF8 { WordChecksum.of(UnsafeRawBufferPointer($0)) }, radix: 16)
        return text + ",\"check\":\"\(check)\"}\n"
    }

    /// Reads a plan that ``json(brandIDs:)`` wrote, for `model`'s shoppers and brands under
    /// `catalog` (for a `population` of that many shoppers when `model` holds part of it), and
    /// checks that it is one: made from the same `madeFrom` (every key given must be there with
    /// that value; the plan's own are returned, its day among them), for as many shoppers and
    /// brands, with the catalog's guaranteed and capped brands in model order, each with the
    /// guarantee, cap and showability it has now, numbers an allocation can hold, a popularity
    /// count per brand, and the text's checksum (checked after the rest, so a plan for other
    /// inputs says so first). Errors name the file, the line and column of the value at fault,
    /// and what was expected there: a plan made from other inputs is refused, never half used.
    /// O(file size + brands).
    public static func read(
        path: String, model: FactorModel, population: Int? = nil, catalog: Catalog, madeFrom: [String: String]
    ) throws(InputError) -> ExposurePlan.Saved {
        let document = try JSONDocument(path: path)
        let root = document.root
        let problem = document.problem
        guard root["version"] as? Int == fileVersion else {
            throw problem("version", "\(fileVersion)", JSONDocument.describe(root["version"]))
        }
        let sources: [String: Any] = try document.required(root, "made_from", at: "made_from", "an object")
        for (key, value) in madeFrom.sorted(by: { $0.key < $1.key }) where sources[key] as? String != value {
            throw problem(
                "made_from.\(key)", "\"\(value)\", this run's \(key): plan again for these inputs", JSONDocument.describe(sources[key]))
        }
        guard let day = sources["at"] as? String, CalendarTime.day(day) != nil else {
            throw problem("made_from.at", "the day pages are for, as YYYY-MM-DD", JSONDocument.describe(sources["at"]))
        }
        let (shoppers, brands) = (population ?? model.shopperIDs.count, model.brandIDs.count)
        guard root["shoppers"] as? Int == shoppers else {
            throw problem("shoppers", "\(shoppers), the model's shoppers", JSONDocument.describe(root["shoppers"]))
        }
        guard root["brands"] as? Int == brands else {
            throw problem("brands", "\(brands), the model's brands", JSONDocument.describe(root["brands"]))
        }
        let perPage: Int = try document.required(root, "per_page", at: "per_page", "a whole number of placements per page")
        guard (0...Int(UInt16.max)).contains(perPage) else { throw problem("per_page", "0 to \(UInt16.max)", "\(perPage)") }
        let expected = ExposurePlan.Allocation.lines(
            brandIDs: model.brandIDs, catalog: catalog, showable: catalog.showable(among: model.brandIDs))
        let list: [[String: Any]] = try document.required(root, "lines", at: "lines", "an array of plan lines")
        guard list.count == expected.count else {
            throw problem(
                "lines", "\(expected.count) lines, one per guaranteed or capped brand of the catalog the model knows",
                "\(list.count)")
        }

        var lines: [ExposurePlan.Line] = []
        var order = [Int32?](repeating: nil, count: list.count)
        var guaranteeThreshold: [ExposurePlan.Threshold] = []
        var lastAllowedToucher: [Int32] = []
        var capThreshold: [ExposurePlan.Threshold] = []
        /// A row of the population, or -1.
        func row(_ value: Any?, at path: String) throws(InputError) -> Int32 {
            guard let row = value as? Int, (-1..<shoppers).contains(row) else {
                throw problem(path, "a shopper row from -1 to \(shoppers - 1)", JSONDocument.describe(value))
            }
            return Int32(row)
        }
        func threshold(_ value: Any?, at path: String) throws(InputError) -> ExposurePlan.Threshold {
            guard let pair = value as? [Any], pair.count == 2, let text = pair[0] as? String, let score = Float(text), !score.isNaN
            else { throw problem(path, "[score as a string, shopper row]", JSONDocument.describe(value)) }
            return ExposurePlan.Threshold(score: score, row: try row(pair[1], at: path))
        }
        for (l, entry) in list.enumerated() {
            let at = "lines[\(l)]"
            let want = expected[l]
            let brand = model.brandIDs[Int(want.brand)]
            guard entry["brand"] as? String == brand else {
                throw problem(
                    at + ".brand", "\"\(brand)\", the catalog's next guaranteed or capped brand", JSONDocument.describe(entry["brand"]))
            }
            for (key, value) in [("guarantee", want.guarantee), ("cap", want.cap)] where (entry[key] as? Int) != value {
                let now = value.map(String.init) ?? "null"
                throw problem("\(at).\(key)", "\(now), the catalog's \(key) for \(brand): plan again", JSONDocument.describe(entry[key]))
            }
            guard entry["showable"] as? Bool == want.showable else {
                throw problem(
                    at + ".showable", "\(want.showable): the catalog \(want.showable ? "shows" : "cannot show") \(brand) now; plan again",
                    JSONDocument.describe(entry["showable"]))
            }
            let most = max(0, min(want.guarantee ?? 0, want.cap ?? .max, shoppers))
            guard let planned = entry["planned"] as? Int, (0...(want.showable ? most : 0)).contains(planned) else {
                throw problem(at + ".planned", "0 to \(want.showable ? most : 0) placements", JSONDocument.describe(entry["planned"]))
            }
            switch entry["order"] {
            case let position as Int where planned > 0 && (0..<list.count).contains(position): order[l] = Int32(position)
            case is NSNull where planned == 0: break
            default:
                throw problem(
                    at + ".order", planned > 0 ? "the line's place among the guarantees" : "null (nothing placed)",
                    JSONDocument.describe(entry["order"]))
            }
            var line = want
            line.planned = planned
            lines.append(line)
            guaranteeThreshold.append(try threshold(entry["guarantee_threshold"], at: at + ".guarantee_threshold"))
            let toucher = entry["last_allowed_toucher"]
            lastAllowedToucher.append(toucher as? Int == Int(Int32.max) ? .max : try row(toucher, at: at + ".last_allowed_toucher"))
            capThreshold.append(try threshold(entry["cap_threshold"], at: at + ".cap_threshold"))
        }
        // The guarantees' order: each place once, 0 ..< lines that placed something.
        let placing = order.compactMap { $0 }
        var guaranteeOrder = [Int32](repeating: -1, count: placing.count)
        for (l, position) in order.enumerated() {
            guard let position else { continue }
            guard Int(position) < placing.count, guaranteeOrder[Int(position)] < 0 else {
                throw problem("lines[\(l)].order", "each place from 0 to \(placing.count - 1) once", "\(position)")
            }
            guaranteeOrder[Int(position)] = Int32(l)
        }
        // Popularity: a whole number per brand that a Float count reaches exactly.
        let counts: [Any] = try document.required(root, "popularity", at: "popularity", "an array of purchase counts per brand")
        guard counts.count == brands else {
            throw problem("popularity", "\(brands) counts, one per brand of the model", "\(counts.count) values")
        }
        var popularityCounts: [Float] = []
        popularityCounts.reserveCapacity(brands)
        for (b, count) in counts.enumerated() {
            guard let whole = count as? Int, (0...Self.mostCount).contains(whole) else {
                throw problem("popularity[\(b)]", "a whole number of purchases from 0 to \(Self.mostCount)", JSONDocument.describe(count))
            }
            popularityCounts.append(Float(whole))
        }
        // The checksum last, so that a plan made from other inputs says so first.
        let checked = document.data.withUnsafeBytes { raw in
            let key = Array(",\"check\":\"".utf8)
            let end = stride(from: raw.count - key.count, through: 0, by: -1).first { raw[$0..<$0 + key.count].elementsEqual(key) }
            return end.map { String(WordChecksum.of(UnsafeRawBufferPointer(rebasing: raw[..<$0])), radix: 16) }
        }
        guard let checked, root["check"] as? String == checked else {
            throw problem(
                "check",
                "\(checked.map { "\"\($0)\"" } ?? "a checksum"), the checksum of the text before it: the plan was changed after venue plan wrote it; plan again",
                JSONDocument.describe(root["check"]))
        }
        let allocation = ExposurePlan.Allocation(
            lines: lines, perPage: perPage, shoppers: shoppers, brands: brands, guaranteeOrder: guaranteeOrder,
            guaranteeThreshold: guaranteeThreshold, lastAllowedToucher: lastAllowedToucher, capThreshold: capThreshold)
        return ExposurePlan.Saved(
            allocation: allocation, popularityCounts: popularityCounts, madeFrom: sources.compactMapValues { $0 as? String })
    }

    /// The largest count a `Float` reaches adding one at a time (2²⁴).
    static let mostCount = 1 << 24
}
