import VenueFactorization
import VenueInteractions

/// What a run of venue generation did for merchants' exposure: per guaranteed or capped brand,
/// the guarantee, the cap, the guaranteed placements planned for the run's shoppers and the pages
/// that showed the brand, and which run it is of (``run``). `venue generate` writes it as
/// `exposure.csv` (``csv``); the reports of a run's shards add up to the whole run's
/// (``init(merging:partial:)``).
public struct ExposureReport: Sendable, Equatable {
    /// One brand's row.
    public struct Row: Sendable, Equatable {
        /// The brand id.
        public var brand: String
        /// Pages promised, if any.
        public var guarantee: Int?
        /// Pages allowed at most, if any.
        public var cap: Int?
        /// Guaranteed placements planned for the run's pages.
        public var planned: Int
        /// Pages that showed the brand, on any floor.
        public var delivered: Int

        /// A row as given.
        public init(brand: String, guarantee: Int?, cap: Int?, planned: Int, delivered: Int) {
            self.brand = brand
            self.guarantee = guarantee
            self.cap = cap
            self.planned = planned
            self.delivered = delivered
        }
    }

    /// Rows in the plan's order (model order).
    public let rows: [Row]
    /// Whether the run made part of the population's pages (a shard, or a list of shoppers), so
    /// a guarantee is judged by the placements planned for that part rather than by the guarantee.
    public let partial: Bool
    /// The run the report is of: the same number in the report of every shard of one run, and in
    /// the report the run makes unsharded, and a different one for other inputs or settings
    /// (`venue generate` writes a checksum of what its pages are made from). Reports of different
    /// runs do not add up.
    public let run: UInt64

    /// A report of `rows`, of `run`.
    public init(rows: [Row], partial: Bool, run: UInt64) {
        self.rows = rows
        self.partial = partial
        self.run = run
    }

    /// The report of `plan` with `delivered` pages per plan line; for a run over part of the
    /// population (`partial`), the guaranteed placements `planned` for its pages per plan line
    /// (``VenueAssembler/Tally/planned``), else the plan's own; of `run`. `nil` when the plan has
    /// no brands.
    public init?(plan: ExposurePlan, brandIDs: IdentifierMap, partial: Bool, planned: [Int], delivered: [Int], run: UInt64) {
        guard !plan.lines.isEmpty else { return nil }
        self.partial = partial
        self.run = run
        rows = plan.lines.enumerated().map { l, entry in
            Row(
                brand: brandIDs[Int(entry.brand)], guarantee: entry.guarantee, cap: entry.cap,
                planned: partial ? (l < planned.count ? planned[l] : 0) : entry.planned,
                delivered: l < delivered.count ? delivered[l] : 0)
        }
    }

    /// `brand,guarantee,cap,planned,delivered,run`, one line per brand (empty fields for no
    /// guarantee or no cap; ``run`` as 16 hexadecimal digits on every line, so that each line
    /// says which run it counts).
    public var csv: String {
        let run = runDigits
        return "brand,guarantee,cap,planned,delivered,run\n"
            + rows.map {
                "\($0.brand),\($0.guarantee.map(String.init) ?? ""),\($0.cap.map(String.init) ?? ""),\($0.planned),\($0.delivered),\(run)\n"
            }
            .joined()
    }

    /// ``run`` as the report writes it: 16 hexadecimal digits.
    public var runDigits: String { Self.hexadecimal(run) }

    /// `value` as the report writes a run: 16 hexadecimal digits.
    private static func hexadecimal(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Brands with a guarantee.
    public var guarantees: Int { rows.count { $0.guarantee != nil } }
    /// Guarantees delivered in full: on at least the guarantee's pages, or for part of the
    /// population (``partial``), on at least the placements planned for it.
    public var guaranteesMet: Int {
        rows.count { row in row.guarantee.map { row.delivered >= (partial ? row.planned : $0) } ?? false }
    }
    /// Brands with a cap.
    public var caps: Int { rows.count { $0.cap != nil } }
    /// Caps kept: brands shown on at most their cap's pages.
    public var capsKept: Int { rows.count { row in row.cap.map { row.delivered <= $0 } ?? false } }
}

extension ExposureReport {
    /// The reports at `paths`, parts of one run (its shards, as `venue generate --shard` writes
    /// them), added up: every file must be of the same run (``run``) and list the same brands with
    /// the same guarantees and caps in the same order, and the result sums their planned placements
    /// and delivered pages. Given the
    /// reports of every shard of a run once each, that is the report the run makes unsharded, byte
    /// for byte; `partial` says whether that run covered part of the population (`--shoppers`).
    ///
    /// A field that is not a whole number ≥ 0, a run that is not 16 hexadecimal digits, a brand
    /// listed twice, a run, brand, guarantee or cap unlike the first file's, or a file with more
    /// or fewer brands, fails naming the file, line and column. O(total size).
    public init(merging paths: [String], partial: Bool) throws(InputError) {
        var rows: [Row] = []
        // The first file's line of each row, and of each brand, for messages.
        var lines: [Int] = []
        var lineOfBrand: [String: Int] = [:]
        // The first file's first run, and its line.
        var firstRun: (run: UInt64, line: Int)?
        for (f, path) in paths.enumerated() {
            var index = 0
            var lastLine = 1
            try CSVTable<Column>.read(path: path) { row in
                let i = index
                index += 1
                lastLine = row.line.number
                let brand = row.required(.brand, expected: "a brand id")
                let guarantee = row.optionalCount(.guarantee, expected: "a whole number of pages or nothing")
                let cap = row.optionalCount(.cap, expected: "a whole number of pages or nothing")
                let planned = row.count(.planned, expected: "a whole number of placements")
                let delivered = row.count(.delivered, expected: "a whole number of pages")
                if let run = Self.run(row.bytes(.run)) {
                    if let first = firstRun, run != first.run {
                        row.reject(
                            .run,
                            expected:
                                "run \(Self.hexadecimal(first.run)) as on line \(first.line) of \(paths[0]): the reports of one run's shards"
                        )
                    }
                    if firstRun == nil { firstRun = (run, row.line.number) }
                } else {
                    row.reject(.run, expected: "a run: 16 hexadecimal digits")
                }
                guard f > 0 else {
                    if let earlier = lineOfBrand.updateValue(row.line.number, forKey: brand) {
                        row.reject(.brand, expected: "a brand not listed before (\(brand) is on line \(earlier))")
                    }
                    lines.append(row.line.number)
                    rows.append(Row(brand: brand, guarantee: guarantee, cap: cap, planned: planned, delivered: delivered))
                    return
                }
                guard i < rows.count else {
                    row.reject(.brand, expected: "no more brands than the \(rows.count) of \(paths[0])")
                    return
                }
                let first = rows[i]
                let asInFirst = "as on line \(lines[i]) of \(paths[0])"
                if brand != first.brand { row.reject(.brand, expected: "brand \(first.brand) \(asInFirst)") }
                if guarantee != first.guarantee {
                    row.reject(.guarantee, expected: "guarantee \(Self.field(first.guarantee)) \(asInFirst)")
                }
                if cap != first.cap { row.reject(.cap, expected: "cap \(Self.field(first.cap)) \(asInFirst)") }
                let sums = (first.planned.addingReportingOverflow(planned), first.delivered.addingReportingOverflow(delivered))
                if sums.0.overflow { row.reject(.planned, expected: "placements that sum to at most \(Int.max)") }
                if sums.1.overflow { row.reject(.delivered, expected: "pages that sum to at most \(Int.max)") }
                rows[i].planned = sums.0.partialValue
                rows[i].delivered = sums.1.partialValue
            }
            if index < rows.count {
                throw .invalid(
                    InputProblem(
                        location: InputLocation(file: path, line: lastLine + 1, column: 1),
                        expected: "brand \(rows[index].brand) as on line \(lines[index]) of \(paths[0])", found: "end of file"))
            }
        }
        self.init(rows: rows, partial: partial, run: firstRun?.run ?? 0)
    }

    /// A guarantee or cap as the report writes it, named for an error message.
    private static func field(_ value: Int?) -> String { value.map(String.init) ?? "(none)" }

    /// The run `field` writes (``hexadecimal(_:)``), if it is 16 hexadecimal digits.
    private static func run(_ field: UnsafeRawBufferPointer) -> UInt64? {
        guard field.count == 16 else { return nil }
        var value: UInt64 = 0
        for byte in field {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    private enum Column: String, CSVColumn {
        case brand, guarantee, cap, planned, delivered, run
    }
}
