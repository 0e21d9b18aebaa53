import VenueKit

/// What a run of `venue generate` did for merchants' exposure: per guaranteed or capped brand, the
/// guarantee, the cap, the guaranteed placements planned for this run's shoppers and the pages that
/// showed the brand.
struct ExposureReport {
    /// One brand's row.
    struct Row {
        var brand: String
        var guarantee: Int?
        var cap: Int?
        var planned: Int
        var delivered: Int
    }

    /// Rows in the plan's order (model order).
    let rows: [Row]
    /// Whether the run made part of the population's pages (a shard or a list of shoppers), so
    /// a guarantee is judged by the placements planned for this part.
    let partial: Bool

    /// The report of `plan` with `delivered` pages per plan line; for a run over part of the
    /// population (`partial`), the guaranteed placements `planned` for its pages per plan line
    /// (``VenueAssembler/Tally/planned``), else the plan's own. `nil` when the plan has no brands.
    init?(plan: ExposurePlan, brandIDs: IdentifierMap, partial: Bool, planned: [Int], delivered: [Int]) {
        guard !plan.lines.isEmpty else { return nil }
        self.partial = partial
        rows = plan.lines.enumerated().map { l, entry in
            Row(
                brand: brandIDs[Int(entry.brand)], guarantee: entry.guarantee, cap: entry.cap,
                planned: partial ? (l < planned.count ? planned[l] : 0) : entry.planned,
                delivered: l < delivered.count ? delivered[l] : 0)
        }
    }

    /// `brand,guarantee,cap,planned,delivered`, one line per brand (empty fields for no guarantee
    /// or no cap).
    var csv: String {
        "brand,guarantee,cap,planned,delivered\n"
            + rows.map {
                "\($0.brand),\($0.guarantee.map(String.init) ?? ""),\($0.cap.map(String.init) ?? ""),\($0.planned),\($0.delivered)\n"
            }
            .joined()
    }

    /// A JSON object for the run's summary: guarantees delivered in full (for part of the
    /// population: the placements planned for it), caps kept, and the file.
    func summary(file: String) -> String {
        let guaranteed = rows.filter { $0.guarantee != nil }
        let capped = rows.filter { $0.cap != nil }
        let met = guaranteed.filter { $0.delivered >= (partial ? $0.planned : $0.guarantee!) }.count
        let kept = capped.filter { $0.delivered <= $0.cap! }.count
        return "{\"guarantees\":\(guaranteed.count),\"guarantees_met\":\(met),\"caps\":\(capped.count),\"caps_kept\":\(kept),"
            + "\"file\":\(jsonString(file))}"
    }
}
