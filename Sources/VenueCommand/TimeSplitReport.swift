import VenueKit

/// What `venue evaluate` measured on a time split, printed as Markdown tables or one JSON object.
struct TimeSplitReport {
    var trainUntil: DayArgument
    var testFrom: DayArgument
    var testUntil: DayArgument
    var testEvents: CommaSeparated<EventKind>
    var split: TimeSplit
    /// The cut-offs, ascending.
    var cutoffs: [Int]
    /// Each method's runs at each cut-off: one, or one per ALS seed for the methods that use a model.
    var results: [(RecommendationMethod, [Int: [MethodResult]])]
    /// The ALS seeds, when there was more than one.
    var seeds: [UInt64]?
    /// Gains over the baseline with bootstrap intervals, unless the bootstrap was turned off.
    var gains: MethodGains?

    /// Test pairs: (shopper, brand) bought in the test window.
    private var pairs: Int { split.test.reduce(0) { $0 + $1.brands.count } }

    /// The methods measured once per seed.
    private var seeded: [(RecommendationMethod, [Int: [MethodResult]])] { results.filter { $0.0.usesFactorModel } }

    /// One JSON object: the split, each method's metrics per cut-off (means over seeds), the
    /// gains, and each seed's runs.
    var json: String {
        var fields = [
            "\"protocol\":\"time\"", "\"train_until\":\"\(trainUntil)\"", "\"test_from\":\"\(testFrom)\"",
            "\"test_until\":\"\(testUntil)\"",
            "\"test_shoppers\":\(split.test.count)", "\"test_pairs\":\(pairs)", "\"training_events\":\(split.train.count)",
        ]
        fields.append(
            "\"methods\":{"
                + results.map { method, byK in
                    "\"\(method.rawValue)\":{" + cutoffs.map { "\"\($0)\":\(byK[$0]!.json)" }.joined(separator: ",") + "}"
                }.joined(separator: ",") + "}")
        if let gains { fields.append("\"gains\":\(gains.json)") }
        if let seeds {
            fields.append("\"seeds\":[" + seeds.map(String.init).joined(separator: ",") + "]")
            fields.append(
                "\"per_seed\":{"
                    + seeded.map { method, byK in
                        "\"\(method.rawValue)\":{"
                            + cutoffs.map { "\"\($0)\":[" + byK[$0]!.map { [$0].json }.joined(separator: ",") + "]" }.joined(separator: ",")
                            + "}"
                    }.joined(separator: ",") + "}")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// The split in a line, a table of every method at every cut-off, each seed's runs, and the
    /// gains.
    var markdown: String {
        var lines = [
            "Time split: train ≤ \(trainUntil), test = \(testEvents) \(testFrom) … \(testUntil); \(split.test.count) shoppers, \(pairs) pairs, \(split.train.count) training events\n",
            "| method | K | precision | recall | F1 | Recall@K (macro) | NDCG@K | new-brand hits | coverage | Gini |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for (method, byK) in results {
            for cutoff in cutoffs { lines.append("| \(method.rawValue) | \(cutoff) | " + byK[cutoff]!.row + " |") }
        }
        if let seeds {
            let names = seeded.map(\.0.rawValue).joined(separator: " and ")
            lines.append("\n\(names): means over ALS seeds \(seeds.map(String.init).joined(separator: ", ")); each seed:\n")
            lines.append("| method | K | seed | recall | Recall@K (macro) | NDCG@K | hits |")
            lines.append("|---|---|---|---|---|---|---|")
            for (method, byK) in seeded {
                for cutoff in cutoffs {
                    for (seed, run) in zip(seeds, byK[cutoff]!) {
                        let m = run.metrics
                        lines.append(
                            "| \(method.rawValue) | \(cutoff) | \(seed) | "
                                + String(format: "%.4f | %.4f | %.4f | %d |", m.microRecall, m.recall, m.ndcg, m.hits))
                    }
                }
            }
        }
        if let gains { lines.append("\n" + gains.table(shoppers: split.test.count)) }
        return lines.joined(separator: "\n")
    }
}
