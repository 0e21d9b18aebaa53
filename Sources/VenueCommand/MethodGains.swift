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
    /// The cut-offs, ascending.
    let cutoffs: [Int]
    /// Every method but the baseline, in the order measured, with its intervals per cut-off (in
    /// ``cutoffs`` order), each in ``statistics`` order.
    let methods: [(method: RecommendationMethod, byCutoff: [[PairedBootstrap.Interval]])]

    /// The gains of every method of `results` (each cut-off's runs: one, or one per ALS seed) but
    /// `baseline` over it, or `nil` when `baseline` was not measured.
    init?(
        _ results: [(RecommendationMethod, [Int: [MethodResult]])], baseline: RecommendationMethod, cutoffs: [Int],
        bootstrap: PairedBootstrap
    ) {
        guard let reference = results.first(where: { $0.0 == baseline })?.1 else { return nil }
        self.baseline = baseline
        self.bootstrap = bootstrap
        self.cutoffs = cutoffs
        methods = results.filter { $0.0 != baseline }.map { method, byK in
            (
                method,
                cutoffs.map { k in
                    Self.statistics.map { bootstrap.relativeGain(of: byK[k]!.map(\.metrics), over: reference[k]!.map(\.metrics), $0) }
                }
            )
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
        for (method, byCutoff) in methods {
            for (k, gains) in zip(cutoffs, byCutoff) {
                let cells = gains.map { "\(percent($0.estimate * 100))% [\(percent($0.lower * 100)), \(percent($0.upper * 100))]" }
                lines.append("| \(method.rawValue) | \(k) | " + cells.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `{"baseline":…,"resamples":…,"seed":…,"level":…,"methods":{"venue":{"20":{"recall":[gain,lower,upper],…}}}}`;
    /// an infinite gain is written as null.
    var json: String {
        let entries = methods.map { method, byCutoff in
            let byK = zip(cutoffs, byCutoff).map { k, gains in
                let fields = zip(Self.statistics, gains).map { statistic, interval in
                    "\"\(statistic.rawValue)\":[" + [interval.estimate, interval.lower, interval.upper].map(number).joined(separator: ",")
                        + "]"
                }
                return "\"\(k)\":{" + fields.joined(separator: ",") + "}"
            }
            return "\"\(method.rawValue)\":{" + byK.joined(separator: ",") + "}"
        }
        return "{\"baseline\":\"\(baseline.rawValue)\",\"resamples\":\(bootstrap.resamples),\"seed\":\(bootstrap.seed),"
            + "\"level\":\(bootstrap.level),\"methods\":{\(entries.joined(separator: ","))}}"
    }

    private func number(_ x: Double) -> String { x.isFinite ? "\(rounded(x, places: 4))" : "null" }

    /// `x` with one decimal and its sign (`+0.0` for anything that rounds to zero).
    private func percent(_ x: Double) -> String {
        guard x.isFinite else { return x > 0 ? "+∞" : "−∞" }
        let text = String(format: "%.1f", abs(x))
        return (x < 0 && text != "0.0" ? "−" : "+") + text
    }
}
