import Foundation
import VenueKit

/// How far a resumable `venue generate` got: the first `shoppers` of its list are in the first
/// `bytes` of the partial output, durably. Stored beside the output as a small text file that is
/// replaced atomically, and tied to the run's inputs so a different run never continues it.
struct GenerationCheckpoint: Equatable, Sendable {
    /// Shoppers whose pages are in the partial output, from the start of the run's list.
    var shoppers: Int
    /// Bytes of the partial output that hold them.
    var bytes: Int
    /// ``fingerprint(of:)`` of the run's settings and input files.
    var inputs: String
    /// Pages so far showing each brand of the exposure plan (``VenueAssembler/Tally/exposure``).
    var exposure: [Int] = []

    /// The checkpoint file of output `path`: `.NAME.checkpoint` beside it.
    static func path(for output: String) -> String {
        let url = URL(fileURLWithPath: output)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).checkpoint").path
    }

    /// The file's text: a first line naming the format, then one `key value` line per field.
    var text: String {
        "venue-checkpoint 1\nshoppers \(shoppers)\nbytes \(bytes)\ninputs \(inputs)\n"
            + (exposure.isEmpty ? "" : "exposure \(exposure.map(String.init).joined(separator: ","))\n")
    }

    /// Parses ``text``; `nil` when anything is missing or malformed.
    init?(text: String) {
        let lines = text.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).map(String.init) }
        guard lines.count == 4 || lines.count == 5, lines[0] == ["venue-checkpoint", "1"], lines[1].first == "shoppers",
            lines[2].first == "bytes",
            lines[3].first == "inputs", lines[1].count == 2, lines[2].count == 2, lines[3].count == 2,
            let shoppers = Int(lines[1][1]), let bytes = Int(lines[2][1]), shoppers >= 0, bytes >= 0
        else { return nil }
        var exposure: [Int] = []
        if lines.count == 5 {
            guard lines[4].first == "exposure", lines[4].count == 2 else { return nil }
            let counts = lines[4][1].split(separator: ",").map { Int($0) }
            guard counts.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
            exposure = counts.map { $0! }
        }
        self.init(shoppers: shoppers, bytes: bytes, inputs: lines[3][1], exposure: exposure)
    }

    init(shoppers: Int, bytes: Int, inputs: String, exposure: [Int] = []) {
        self.shoppers = shoppers
        self.bytes = bytes
        self.inputs = inputs
        self.exposure = exposure
    }

    /// Why a run cannot continue from the checkpoint it found.
    struct Refusal: Error, CustomStringConvertible {
        /// What is wrong and what to do.
        let description: String
    }

    /// Where a run of `total` shoppers starts, given its checkpoint file `path`: with `resume`,
    /// the checkpoint an earlier run with the same `fingerprint` left there, or the beginning
    /// when there is none; without `resume`, the beginning, and a stale checkpoint is removed.
    /// Throws when the checkpoint is unreadable or was made with other inputs or settings.
    static func start(at path: String, fingerprint: String, total: Int, resume: Bool) throws(Refusal) -> GenerationCheckpoint {
        guard resume, FileManager.default.fileExists(atPath: path) else {
            try? FileManager.default.removeItem(atPath: path)
            return GenerationCheckpoint(shoppers: 0, bytes: 0, inputs: fingerprint)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let saved = GenerationCheckpoint(text: text) else {
            throw Refusal(description: "\(path): not a checkpoint of venue generate; delete it to start afresh")
        }
        guard saved.inputs == fingerprint, saved.shoppers <= total else {
            throw Refusal(description: "\(path) was written by a run with other inputs or settings; run without --resume to start afresh")
        }
        return saved
    }

    /// A digest of `settings` and of each file's path, size and modification time (64-bit FNV-1a,
    /// hex): it changes when an input file is replaced or edited, or a setting changes.
    static func fingerprint(of settings: [String], files: [String]) -> String {
        var hash = FNV1a()
        // One line per item, so ["ab", "c"] and ["a", "bc"] differ.
        for setting in settings {
            hash.add(setting)
            hash.add(0x0A)
        }
        for file in files {
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            hash.add("\(file) \(size) \(modified)")
            hash.add(0x0A)
        }
        return String(hash.value, radix: 16)
    }
}
