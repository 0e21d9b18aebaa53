import Foundation
import Testing
import VenueKit

/// Bad input never crashes. Seeded mutations of every kind of input file (a field replaced by an
/// odd value, dropped, added or swapped with another, a line deleted or repeated, bytes flipped,
/// the file cut short) either read or throw an `InputError` that names the file, and every row
/// problem it lists points at a line and a column. A trap would end the test run, so these fail.
@Suite("Mutated inputs")
struct MutatedInputTests {
    /// Rounds per file; each applies one to three mutations to the original.
    static let rounds = 60

    /// A few rows of each public event format; the generic sample is the fixtures' first 400 lines.
    static let samples: [EventFormat: String] = [
        .weights: "u1,b1,3\nu1,b2,1.5\nu2,b1,7\nu3,b3,2\n",
        .tmall2014: "user_id,brand_id,type,visit_datetime\n10944750,13451,0,6-4\n10944750,13451,2,6-4\n139250,3589,1,7-15\n",
        .ijcai15:
            ",user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type\n0,328862,323294,833,2882,2661.0,829,0\n"
            + "1,328862,844400,1271,2882,2661.0,829,2\n2,234512,575153,1271,2882,2661.0,1111,3\n",
        .lastfm: "userID\tartistID\tweight\n2\t51\t13883\n2\t52\t11690\n3\t51\t228\n",
        .movielens: "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n",
    ]

    @Test("events in every format", arguments: EventFormat.allCases)
    func events(format: EventFormat) throws {
        let sample =
            format == .generic
            ? try String(contentsOfFile: TestSupport.fixtures + "/events.csv", encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).prefix(400).joined(separator: "\n")
            : try #require(Self.samples[format])
        let original = Array(sample.utf8)
        let seed = UInt64(try #require(EventFormat.allCases.firstIndex(of: format)))
        var mutator = Mutator(seed: seed, separator: format.separator)
        for round in 0..<Self.rounds {
            let path = "events-\(format)-\(round).txt"
            let bytes = mutator.mutated(original)
            do {
                _ = try EventReader(format: format).read(MappedFile(path: path, contents: Data(bytes)))
            } catch {
                Self.expectLocated(error, path: path, lines: bytes.lineCount)
            }
        }
    }

    @Test("catalog, coupon wallets and layout")
    func marketplaceFiles() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let readers: [(String, (String) throws(InputError) -> Void)] = [
            ("catalog.csv", { path throws(InputError) in _ = try Catalog.read(path: path) }),
            ("coupons.csv", { path throws(InputError) in _ = try CouponWallets.read(path: path) }),
            ("layout.json", { path throws(InputError) in _ = try VenueLayout.read(path: path) }),
        ]
        for (index, (name, read)) in readers.enumerated() {
            let original = Array(try Data(contentsOf: URL(fileURLWithPath: TestSupport.fixtures + "/" + name)))
            var mutator = Mutator(seed: UInt64(100 + index), separator: name.hasSuffix(".json") ? UInt8(ascii: ":") : UInt8(ascii: ","))
            for round in 0..<Self.rounds {
                let path = folder + "/\(round)-" + name
                let bytes = mutator.mutated(original)
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                do {
                    try read(path)
                } catch {
                    Self.expectLocated(error, path: path, lines: bytes.lineCount)
                }
            }
        }
    }

    static func expectLocated(_ error: InputError, path: String, lines: Int) {
        #expect(error.description.contains(path), "\(error)")
        for problem in error.problems {
            #expect(problem.location.file == path)
            #expect((1...max(lines, 1)).contains(problem.location.line), "\(problem)")
            #expect(problem.location.column >= 1, "\(problem)")
        }
    }
}

/// Seeded damage to a text file.
private struct Mutator {
    static let oddValues = [
        "", "-1", "0", "1e40", "-1e40", "nan", "inf", "-inf", "99999999999999999999", "4294967296", "-2147483649",
        "1.5", "\"", "\"\"", "\"a,b\"", "风", "\u{0}", " ", "\r", "2026-13-40", "2026-02-30", "0000-00-00", "9999-12-31",
        "2026-11-11T25:00:00", "13-45", "0229", "1111", "purchase", "brand:", "category:", "brand:B999", "all", "sold_out",
        "-0", "1e-45", "null", "[]", "{}", "\"x\"",
    ]
    var random: SeededRandom
    let separator: UInt8

    init(seed: UInt64, separator: UInt8) {
        random = SeededRandom(seed: seed)
        self.separator = separator
    }

    mutating func mutated(_ original: [UInt8]) -> [UInt8] {
        var bytes = original
        for _ in 0...random.below(3) where !bytes.isEmpty { bytes = mutate(bytes) }
        return bytes
    }

    private mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        let i = random.below(lines.count)
        var fields = lines[i].split(separator: separator, omittingEmptySubsequences: false).map(Array.init)
        switch random.below(8) {
        case 0: fields[random.below(fields.count)] = oddValue()
        case 1: if fields.count > 1 { fields.remove(at: random.below(fields.count)) }
        case 2: fields.append(oddValue())
        case 3: fields.swapAt(random.below(fields.count), random.below(fields.count))
        case 4:
            lines.remove(at: i)
            return Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        case 5:
            lines.insert(lines[i], at: i)
            return Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        case 6:
            var flipped = bytes
            for _ in 0...random.below(4) { flipped[random.below(flipped.count)] = UInt8(random.below(256)) }
            return flipped
        default: return Array(bytes.prefix(random.below(bytes.count + 1)))
        }
        lines[i] = Array(fields.joined(separator: [separator]))
        return Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }

    private mutating func oddValue() -> [UInt8] { Array(Self.oddValues[random.below(Self.oddValues.count)].utf8) }
}

extension EventFormat {
    /// The field separator of the format's sample.
    fileprivate var separator: UInt8 { self == .lastfm || self == .movielens ? UInt8(ascii: "\t") : UInt8(ascii: ",") }
}

extension [UInt8] {
    /// Lines in the file, counting a last line without a newline.
    fileprivate var lineCount: Int { split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count }
}
