import VenueInteractions

/// How a venue page is laid out: its floors in order and the diversity rule.
///
/// JSON: `{"version":1,"diversity":{"window":W,"maxPerCategory":N},"floors":[{"id":…,"kind":
/// "followed|picked|similar|category|popular","title":…,"slots":S,"count":C}]}` (`count` only for
/// `category`: how many category floors).
public struct VenueLayout: Sendable, Equatable {
    /// What a floor shows.
    public enum FloorKind: String, Sendable, CaseIterable {
        /// Brands the shopper follows or favourited, in stock.
        case followed
        /// Discoveries from the factor model, not in the shopper's history.
        case picked
        /// Brands like the shopper's strongest brands (nearest by factor projection), not in the
        /// shopper's history; each card names the brand it is like. Needs the assembler's
        /// ``NearestBrands``; without them the floor stays empty and is left out.
        case similar
        /// One floor per top category of the shopper.
        case category
        /// Popular now (what a cold start sees first).
        case popular
    }

    /// One floor's specification.
    public struct Floor: Sendable, Equatable {
        /// Floor id (unique on the page; category floors append the category).
        public var id: String
        /// What it shows.
        public var kind: FloorKind
        /// Display title.
        public var title: String
        /// Brand slots.
        public var slots: Int
        /// For `category`: how many such floors (the shopper's top categories).
        public var count: Int

        /// A floor.
        public init(id: String, kind: FloorKind, title: String, slots: Int, count: Int = 1) {
            self.id = id
            self.kind = kind
            self.title = title
            self.slots = slots
            self.count = count
        }
    }

    /// Floors, top to bottom.
    public var floors: [Floor]
    /// Consecutive slots the diversity rule looks at.
    public var diversityWindow: Int
    /// Most slots of one category within any `diversityWindow` consecutive slots of a mixed floor.
    public var maxPerCategory: Int

    /// A layout.
    public init(floors: [Floor], diversityWindow: Int = 4, maxPerCategory: Int = 2) {
        self.floors = floors
        self.diversityWindow = diversityWindow
        self.maxPerCategory = maxPerCategory
    }

    /// Reads a layout JSON file. Errors name the file, the line and column of the bad value (or of
    /// the object missing a key) and its key path.
    public static func read(path: String) throws(InputError) -> VenueLayout {
        let document = try JSONDocument(path: path)
        let root = document.root
        let problem = document.problem
        guard root["version"] as? Int == 1 else { throw problem("version", "1", "\(root["version"] ?? "nothing")") }
        let diversity = try document.optional(root, "diversity", at: "diversity", "an object", [String: Any]())
        let window = try document.optional(diversity, "window", at: "diversity.window", "a whole number ≥ 1", 4)
        let maxPerCategory = try document.optional(diversity, "maxPerCategory", at: "diversity.maxPerCategory", "a whole number ≥ 1", 2)
        guard window >= 1, maxPerCategory >= 1 else {
            throw problem("diversity", "window and maxPerCategory ≥ 1", "\(window), \(maxPerCategory)")
        }
        guard let list = root["floors"] as? [[String: Any]], !list.isEmpty else {
            let found =
                switch root["floors"] {
                case nil: "none"
                case let array as [Any]: array.isEmpty ? "an empty array" : "an array of something other than objects"
                default: "something other than an array"
                }
            throw problem("floors", "a non-empty array of floors", found)
        }
        var floors: [Floor] = []
        var ids: Set<String> = []
        for (i, entry) in list.enumerated() {
            let at = "floors[\(i)]"
            guard let id = entry["id"] as? String, !id.isEmpty, ids.insert(id).inserted else {
                throw problem(at + ".id", "a unique id", "\(entry["id"] ?? "nothing")")
            }
            guard let kindText = entry["kind"] as? String, let kind = FloorKind(rawValue: kindText) else {
                throw problem(at + ".kind", "followed, picked, similar, category or popular", "\(entry["kind"] ?? "nothing")")
            }
            guard let slots = entry["slots"] as? Int, (1...100).contains(slots) else {
                throw problem(at + ".slots", "1 to 100 slots", "\(entry["slots"] ?? "nothing")")
            }
            let count = try document.optional(entry, "count", at: at + ".count", "1 to 10", 1)
            guard (1...10).contains(count) else { throw problem(at + ".count", "1 to 10", "\(count)") }
            let title = try document.optional(entry, "title", at: at + ".title", "a string", id)
            floors.append(Floor(id: id, kind: kind, title: title, slots: slots, count: count))
        }
        return VenueLayout(floors: floors, diversityWindow: window, maxPerCategory: maxPerCategory)
    }
}
