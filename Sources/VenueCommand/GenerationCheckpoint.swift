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
    /// Guaranteed placements planned so far for each brand of the exposure plan
    /// (``VenueAssembler/Tally/planned``).
    var planned: [Int] = []

    /// The format's version, the first line's second word; a checkpoint of another version is not
    /// continued. Version 3 added the ``checksum(of:)`` line.
    static let version = "3"

    /// The checkpoint file of output `path`: `.NAME.checkpoint` beside it.
    static func path(for output: String) -> String {
        let url = URL(fileURLWithPath: output)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).checkpoint").path
    }

    /// The file's text: a first line naming the format, one `key value` line per field (count
    /// lists comma-separated, left out when empty), and last `check` with the ``checksum(of:)``
    /// of the lines before it.
    var text: String {
        func counts(_ key: String, _ values: [Int]) -> String {
            values.isEmpty ? "" : "\(key) \(values.map(String.init).joined(separator: ","))\n"
        }
        let body =
            "venue-checkpoint \(Self.version)\nshoppers \(shoppers)\nbytes \(bytes)\ninputs \(inputs)\n"
            + counts("exposure", exposure) + counts("planned", planned)
        return body + "check \(Self.checksum(of: body))\n"
    }

    /// 64-bit FNV-1a of `body`, hex. A checkpoint is trusted to say where to continue, so one changed
    /// on disk (a byte count off by a few, a count from another run) must be refused, not followed.
    static func checksum(of body: String) -> String {
        var hash = FNV1a()
        hash.add(body)
        return String(hash.value, radix: 16)
    }

    /// Parses ``text``; `nil` when the checksum does not match, anything is missing, repeated or
    /// malformed, or the text is of another version.
    init?(text: String) {
        guard text.hasSuffix("\n"), let end = text.dropLast().lastIndex(of: "\n") else { return nil }
        let body = String(text[...end])
        guard text[text.index(after: end)...] == "check \(Self.checksum(of: body))\n" else { return nil }
        let lines = body.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).map(String.init) }
        guard lines.first == ["venue-checkpoint", Self.version], lines.dropFirst().allSatisfy({ $0.count == 2 }) else { return nil }
        let fields = Dictionary(lines.dropFirst().map { ($0[0], $0[1]) }, uniquingKeysWith: { _, _ in "" })
        guard fields.count == lines.count - 1, Set(fields.keys).isSubset(of: ["shoppers", "bytes", "inputs", "exposure", "planned"]),
            let shoppers = fields["shoppers"].flatMap({ Int($0) }), let bytes = fields["bytes"].flatMap({ Int($0) }),
            let inputs = fields["inputs"], shoppers >= 0, bytes >= 0
        else { return nil }
        // A count of pages so far cannot exceed the shoppers so far.
        func counts(_ key: String) -> [Int]? {
            guard let field = fields[key] else { return [] }
            let counts = field.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) ?? -1 }
            return counts.allSatisfy { (0...shoppers).contains($0) } ? counts : nil
        }
        guard let exposure = counts("exposure"), let planned = counts("planned") else { return nil }
        self.init(shoppers: shoppers, bytes: bytes, inputs: inputs, exposure: exposure, planned: planned)
    }

    init(shoppers: Int, bytes: Int, inputs: String, exposure: [Int] = [], planned: [Int] = []) {
        self.shoppers = shoppers
        self.bytes = bytes
        self.inputs = inputs
        self.exposure = exposure
        self.planned = planned
    }

    /// The exposure counts carried over from the run's earlier part, to add to the rest's.
    var tally: VenueAssembler.Tally {
        var tally = VenueAssembler.Tally()
        tally.exposure = exposure
        tally.planned = planned
        return tally
    }

    /// Why a run cannot continue from the checkpoint it found.
    struct Refusal: Error, CustomStringConvertible {
        /// What is wrong and what to do.
        let description: String
    }

    /// Where a run of `total` shoppers and an exposure plan of `planLines` lines starts, given its
    /// checkpoint file `path`: with `resume`,
    /// the checkpoint an earlier run with the same `fingerprint` left there, or the beginning
    /// when there is none; without `resume`, the beginning, and a stale checkpoint is removed.
    /// Throws when the checkpoint is unreadable, was made with other inputs or settings, or does
    /// not match the `partial` output it counts: the bytes it keeps must end with the page of the
    /// last shopper it counts (`shopper(i)` is the run's `i`-th), so a checkpoint whose counts
    /// were changed, even with the checksum made to match, or a partial output changed since,
    /// is never followed into a corrupt output. O(the last page's length).
    static func start(
        at path: String, fingerprint: String, total: Int, planLines: Int, resume: Bool, partial: String, shopper: (Int) -> String
    ) throws(Refusal) -> GenerationCheckpoint {
        guard resume, FileManager.default.fileExists(atPath: path) else {
            try? FileManager.default.removeItem(atPath: path)
            return GenerationCheckpoint(shoppers: 0, bytes: 0, inputs: fingerprint)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Refusal(description: "\(path): not a checkpoint of venue generate; delete it to start afresh")
        }
        // Counts come one per plan line, or none before the first page that needed one.
        guard let saved = GenerationCheckpoint(text: text), [0, planLines].contains(saved.exposure.count),
            [0, planLines].contains(saved.planned.count)
        else {
            if text.hasPrefix("venue-checkpoint "), !text.hasPrefix("venue-checkpoint \(version)\n") {
                throw Refusal(description: "\(path) was written by another version of venue generate; run without --resume to start afresh")
            }
            throw Refusal(description: "\(path): not a checkpoint of venue generate; delete it to start afresh")
        }
        guard saved.inputs == fingerprint, saved.shoppers <= total else {
            throw Refusal(description: "\(path) was written by a run with other inputs or settings; run without --resume to start afresh")
        }
        guard saved.shoppers > 0 || saved.bytes > 0 else { return saved }
        guard saved.shoppers > 0, let line = lastLine(of: partial, endingAt: saved.bytes),
            let page = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
            page["shopper"] as? String == shopper(saved.shoppers - 1)
        else {
            throw Refusal(
                description:
                    "\(partial) does not end, at byte \(saved.bytes), with the page of shopper \(saved.shoppers) of the run, as \(path) "
                    + "says; run without --resume to start afresh")
        }
        return saved
    }

    /// The last line of the first `bytes` bytes of `file`, without its `\n`; `nil` when the file
    /// is shorter or those bytes do not end with a `\n`. Reads back from `bytes` in 64 KiB steps.
    static func lastLine(of file: String, endingAt bytes: Int) -> Data? {
        guard bytes > 0, let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= UInt64(bytes) else { return nil }
        var line = Data()
        var end = bytes
        while end > 0 {
            let start = max(0, end - 65_536)
            guard (try? handle.seek(toOffset: UInt64(start))) != nil, var chunk = try? handle.read(upToCount: end - start),
                chunk.count == end - start
            else { return nil }
            if end == bytes {
                guard chunk.last == 0x0A else { return nil }
                chunk.removeLast()
            }
            if let newline = chunk.lastIndex(of: 0x0A) { return Data(chunk[(newline + 1)...]) + line }
            line = chunk + line
            end = start
        }
        return line
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
