import ArgumentParser
import Foundation
import VenueKit

/// The JSONL that `recommend --all` and `similar --all` write: one line per shopper (or brand),
/// `{"shopper":"S1","brands":["B7",…],"scores":[0.91,…]}`, streamed in order into a temporary file
/// that is renamed into place only when complete.
struct RankedListsFile: Sendable {
    /// What a line is about: `shopper` or `brand`.
    let key: String
    /// The ids of the lines' subjects, by row.
    let ids: IdentifierMap
    /// Each brand's id, encoded as a JSON string once for all the lines that name it.
    private let brandJSON: [[UInt8]]
    /// `{"key":`, the start of every line.
    private let opening: [UInt8]

    /// Lines about `ids` (each named under `key`) that list brands of `brandIDs`.
    init(key: String, ids: IdentifierMap, brandIDs: IdentifierMap) {
        self.key = key
        self.ids = ids
        opening = Array("{\"\(key)\":".utf8)
        var json = JSONWriter()
        brandJSON = (0..<brandIDs.count).map { i in
            json.reset()
            json.string(brandIDs[i])
            return json.bytes
        }
    }

    /// The lines of every row in `block`, in order: scores rounded to six decimals, `nil`
    /// written `null`. O(entries).
    func jsonLines<Entry>(_ block: RankedBlock<Entry>, brand: (Entry) -> Int32, score: (Entry) -> Double?) -> [UInt8] {
        var json = JSONWriter()
        for row in block.shoppers {
            let list = block[row]
            json.append(opening)
            json.string(ids[row])
            json.raw(",\"brands\":[")
            for (i, entry) in list.enumerated() {
                if i > 0 { json.raw(",") }
                json.append(brandJSON[Int(brand(entry))])
            }
            json.raw("],\"scores\":[")
            for (i, entry) in list.enumerated() {
                if i > 0 { json.raw(",") }
                if let score = score(entry) { json.decimal(score, places: 6) } else { json.raw("null") }
            }
            json.raw("]}")
            json.newline()
        }
        return json.bytes
    }

    /// Streams the JSONL that `rank` hands to its `write` argument, in order, into a temporary
    /// file renamed to `path` once `rank` returns (removed if it throws), then reports the rate on
    /// standard error; a write error exits 1 with its message.
    func write(to path: String, k: Int, threads: Int, _ rank: (_ write: ([UInt8]) throws -> Void) throws -> Void) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        let output = try reportingInputErrors { () throws(InputError) in try AtomicFileWriter(path: path) }
        do {
            try rank { bytes in try output.write(bytes) }
            try output.commit()
        } catch {
            output.discard()
            guard let error = error as? InputError else { throw error }
            standardError("error: \(error)")
            throw ExitCode(1)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        standardError(
            "wrote \(ids.count) \(key)s' top \(k) to \(path) in \(String(format: "%.2f", seconds)) s "
                + "(\(Int(Double(ids.count) / max(seconds, 1e-9))) \(key)s/s, \(threads) threads)")
    }
}
