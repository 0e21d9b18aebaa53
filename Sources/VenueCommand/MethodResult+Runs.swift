import VenueKit

/// One method's runs at one cut-off (one run, or one per ALS seed), summarised by the mean of
/// each column over the runs (for `venue evaluate`'s table and JSON, and `venue tune`'s score).
extension [MethodResult] {
    /// The mean of `value` over the runs.
    func mean(_ value: (MethodResult) -> Double) -> Double { reduce(0) { $0 + value($1) } / Double(count) }

    /// The mean of the contest's micro recall (hits over all test pairs) over the runs; not the
    /// macro Recall@K of ``RankingMetrics/recall``.
    var recall: Double { mean(\.metrics.microRecall) }

    /// The main table's columns, each the mean over the runs.
    var row: String {
        String(
            format: "%.4f | %.4f | %.4f | %.4f | %.4f | %.3f | %.3f | %.3f", mean(\.metrics.microPrecision), recall,
            mean(\.metrics.microF1), mean(\.metrics.recall), mean(\.metrics.ndcg), mean(\.metrics.newBrandShare),
            mean(\.exposure.coverage), mean(\.exposure.gini))
    }

    /// The same means as one JSON object; hits are written as an integer when their mean is whole.
    var json: String {
        let hits = mean { Double($0.metrics.hits) }
        return "{\"precision\":\(rounded(mean(\.metrics.microPrecision), places: 4)),\"recall\":\(rounded(recall, places: 4)),"
            + "\"f1\":\(rounded(mean(\.metrics.microF1), places: 4)),\"recall_macro\":\(rounded(mean(\.metrics.recall), places: 4)),"
            + "\"ndcg\":\(rounded(mean(\.metrics.ndcg), places: 4)),\"hits\":\(hits == hits.rounded() ? "\(Int(hits))" : "\(rounded(hits, places: 2))"),"
            + "\"new_brand_share\":\(rounded(mean(\.metrics.newBrandShare), places: 4)),"
            + "\"coverage\":\(rounded(mean(\.exposure.coverage), places: 4)),\"gini\":\(rounded(mean(\.exposure.gini), places: 4))}"
    }
}
