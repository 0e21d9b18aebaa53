import Foundation
import VenueKit

/// Every method's gain over a baseline method at each cut-off, with paired-bootstrap intervals:
/// the second table of `venue evaluate` and its JSON `gains` object.
struct MethodGains {
    /// The method the gains are relative to.
    let baseline: RecommendationMethod
    /// The bootstrap behind the intervals.
    let bootstrap: PairedBootstrap
    /// The statistics compared, in column order.
    static let statistics: [PairedBootstrap.Statistic] = [.recall, .macroRecall, .ndcg]
    /// One row per (method, cut-off), methods in the order measured; intervals in ``statistics`` order.
    let rows: [(method: RecommendationMethod, k: Int, gains: [PairedBootstrap.Interval])]

    /// The gains of every method of `results` but `baseline` over it, or `nil` when `baseline` was
    /// not measured.
    init?(
        _ results: [(RecommendationMethod, [Int: MethodResult])], baseline: RecommendationMethod, cutoffs: [Int],
        bootstrap: PairedBootstrap
    ) {
        guard let reference = results.first(where: { $0.0 == baseline })?.1 else { return nil }
        self.baseline = baseline
        self.bootstrap = bootstrap
        rows = results.filter { $0.0 != baseline }.flatMap { method, byK in
            cutoffs.map { k in
                (
                    method, k,
                    Self.statistics.map {
                        bootstrap.relativeGain(of: byK[k]!.metrics, over: reference[k]!.metrics, $0)
                    }
                )
            }
        }
    }

    /// A Markdown table: each gain as a percentage with its interval, e.g. `+16.1% [+4.9, +28.0]`.
    func table(shoppers: Int) -> String {
        var lines = [
            "Gain over \(baseline.rawValue): paired bootstrap over the \(shoppers) test shoppers, \(bootstrap.resamples) resamples "
                + "(seed \(bootstrap.seed)), \(String(format: "%g", bootstrap.level * 100))% intervals\n",
            "| method | K | recall | Recall@K (macro) | NDCG@K |",
            "|---|---|---|---|---|",
        ]
        for row in rows {
            let cells = row.gains.map { "\(percent($0.estimate * 100))% [\(percent($0.lower * 100)), \(percent($0.upper * 100))]" }
            lines.append("| \(row.method.rawValue) | \(row.k) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// `{"baseline":…,"resamples":…,"seed":…,"level":…,"methods":{"venue":{"20":{"recall":[gain,lower,upper],…}}}}`;
    /// an infinite gain is written as null.
    var json: String {
        var byMethod: [(RecommendationMethod, [String])] = []
        for row in rows {
            let fields = zip(Self.statistics, row.gains).map { statistic, interval in
                "\"\(statistic.rawValue)\":[" + [interval.estimate, interval.lower, interval.upper].map(number).joined(separator: ",") + "]"
            }
            let entry = "\"\(row.k)\":{" + fields.joined(separator: ",") + "}"
            if let last = byMethod.indices.last, byMethod[last].0 == row.method {
                byMethod[last].1.append(entry)
            } else {
                byMethod.append((row.method, [entry]))
            }
        }
        let methods = byMethod.map { "\"\($0.0.rawValue)\":{" + $0.1.joined(separator: ",") + "}" }.joined(separator: ",")
        return "{\"baseline\":\"\(baseline.rawValue)\",\"resamples\":\(bootstrap.resamples),\"seed\":\(bootstrap.seed),"
            + "\"level\":\(bootstrap.level),\"methods\":{\(methods)}}"
    }

    private func number(_ x: Double) -> String { x.isFinite ? "\(rounded(x, places: 4))" : "null" }

    /// `x` with one decimal and its sign (`+0.0` for anything that rounds to zero).
    private func percent(_ x: Double) -> String {
        guard x.isFinite else { return x > 0 ? "+∞" : "−∞" }
        let text = String(format: "%.1f", abs(x))
        return (x < 0 && text != "0.0" ? "−" : "+") + text
    }
}
