import Foundation
import Testing
import VenueKit

@testable import VenueInteractions

@Suite("Event readers")
struct EventReaderTests {
    @Test("generic events: header in any order, optional count, three time spellings")
    func generic() throws {
        let log = try TestSupport.read(
            """
            time,brand,shopper,event,count
            2026-11-01,nike,alice,click,
            2026-11-01T08:30:00Z,nike,alice,purchase,2
            1761955200,adidas,bob,Favourite,1
            2026-11-02T10:00:00+08:00,nike,bob,follow,1

            """, .generic)
        #expect(log.count == 4)
        #expect(log.shopperIDs.ids == ["alice", "bob"])
        #expect(log.brandIDs.ids == ["nike", "adidas"])
        #expect(log.kinds == [.click, .purchase, .favorite, .follow])
        #expect(log.values == [1, 2, 1, 1])
        let day = CalendarTime.seconds(year: 2026, month: 11, day: 1)
        #expect(log.times[0] == day)
        #expect(log.times[1] == day + 8 * 3600 + 30 * 60)
        #expect(log.times[2] == 1_761_955_200)
        #expect(log.times[3] == CalendarTime.seconds(year: 2026, month: 11, day: 2) + 2 * 3600)
    }

    @Test("weights: header optional, CRLF line ends")
    func weights() throws {
        let withHeader = try TestSupport.read("user,item,weight\r\n0,5,2.5\r\n1,5,1\r\n0,5,1\r\n", .weights)
        let without = try TestSupport.read("0,5,2.5\n1,5,1\n0,5,1\n", .weights)
        #expect(withHeader.count == 3 && without.count == 3)
        #expect(withHeader.values == [2.5, 1, 1])
        let matrix = InteractionMatrix(log: without)
        #expect(matrix.nonzeroCount == 2)
        #expect(matrix.byShopper[0, 0] == 3.5)
    }

    @Test("Tmall 2014: type codes and M-D dates in the given year")
    func tmall() throws {
        let log = try TestSupport.read("user_id,brand_id,type,visit_datetime\n1,9,0,6-4\n1,9,1,12-31\n2,8,2,4-15\n2,8,3,8-15\n", .tmall2014)
        #expect(log.kinds == [.click, .purchase, .favorite, .cart])
        #expect(log.times[1] == CalendarTime.seconds(year: 2014, month: 12, day: 31))
        let other = try EventReader(format: .tmall2014, year: 2013).read(MappedFile(path: "t", contents: Data("1,9,0,2-28\n".utf8)))
        #expect(other.times[0] == CalendarTime.seconds(year: 2013, month: 2, day: 28))
        // A year four digits cannot spell makes no date (it used to overflow the day count).
        for year in [Int.max, -1, 10_000] {
            #expect(throws: InputError.self) {
                try EventReader(format: .tmall2014, year: year).read(MappedFile(path: "t", contents: Data("1,9,0,2-28\n".utf8)))
            }
        }
    }

    @Test("IJCAI-15: columns by header name, pandas index column, float brand ids, MMDD")
    func ijcai() throws {
        let log = try TestSupport.read(
            """
            ,user_id,item_id,cat_id,seller_id,brand_id,time_stamp,action_type
            0,328862,323294,833,2882,2661.0,829,0
            1,328862,844400,1271,2882,2661.0,1111,2
            2,328862,844401,1271,2882,,1111,1
            3,7,1,1,1,12,1111,3

            """, .ijcai15)
        #expect(log.brandIDs.ids == ["2661", "12"])
        #expect(log.kinds == [.click, .purchase, .favorite])
        #expect(log.ignoredRows == 1)
        #expect(log.times[0] == CalendarTime.seconds(year: 2015, month: 8, day: 29))
        #expect(log.times[1] == CalendarTime.seconds(year: 2015, month: 11, day: 11))
    }

    @Test("Last.fm and MovieLens: tab separated")
    func tabSeparated() throws {
        let lastfm = try TestSupport.read("userID\tartistID\tweight\n2\t51\t13883\n2\t52\t11690\n", .lastfm)
        #expect(lastfm.values == [13883, 11690] && lastfm.kinds == [.weight, .weight])
        let movielens = try TestSupport.read("196\t242\t3\t881250949\n186\t302\t3\t891717742\n", .movielens)
        #expect(movielens.times == [881_250_949, 891_717_742])
    }

    // MARK: bad input: every case names file, line, column and what was expected

    static func problem(_ text: String, _ format: EventFormat) -> InputError? {
        do {
            _ = try TestSupport.read(text, format, path: "bad.csv")
            return nil
        } catch {
            return error
        }
    }

    @Test("unknown event name")
    func unknownEvent() throws {
        let error = try #require(Self.problem("shopper,brand,event,time\na,b,click,2026-01-01\na,b,like,2026-01-01\n", .generic))
        let p = try #require(error.problems.first)
        #expect(p.location == InputLocation(file: "bad.csv", line: 3, column: 5))
        #expect(p.expected.contains("event name") && p.found == "\"like\"")
    }

    @Test("bad date")
    func badDate() throws {
        let error = try #require(Self.problem("shopper,brand,event,time\na,b,click,2026-02-30\n", .generic))
        #expect(error.problems.first?.location == InputLocation(file: "bad.csv", line: 2, column: 11))
        #expect(error.problems.first?.expected.contains("YYYY-MM-DD") == true)
        let tmall = try #require(Self.problem("1,2,0,13-1\n", .tmall2014))
        #expect(tmall.problems.first?.location.column == 7)
    }

    @Test("missing field")
    func missingField() throws {
        let error = try #require(Self.problem("shopper,brand,event,time\nalice,nike,click\n", .generic))
        let p = try #require(error.problems.first)
        #expect(p.location == InputLocation(file: "bad.csv", line: 2, column: 18))
        #expect(p.expected == "a value for time" && p.found == "end of line")
    }

    @Test("non-numeric weight, columns counted in characters")
    func nonNumericWeight() throws {
        let error = try #require(Self.problem("顾客,品牌,1x\n", .weights))
        #expect(error.problems.first?.location == InputLocation(file: "bad.csv", line: 1, column: 7))
        let negative = try #require(Self.problem("a,b,1\na,b,-2\n", .weights))
        #expect(negative.problems.first?.location.line == 2)
    }

    @Test("empty file and header-only file")
    func empty() {
        #expect(Self.problem("", .generic) == .empty(file: "bad.csv"))
        #expect(Self.problem("\n\n", .weights) == .empty(file: "bad.csv"))
        #expect(Self.problem("shopper,brand,event,time\n", .generic) == .empty(file: "bad.csv"))
    }

    @Test("missing header")
    func missingHeader() throws {
        let error = try #require(Self.problem("alice,nike,click,2026-01-01\n", .generic))
        guard case .missingHeader(let p) = error else { Issue.record("expected missingHeader, got \(error)"); return }
        #expect(p.location == InputLocation(file: "bad.csv", line: 1, column: 1))
        #expect(p.expected.contains("shopper,brand,event,time"))
        #expect(p.found == "\"alice\", not a header")
        let partial = try #require(Self.problem("shopper,brand,kind,when\nalice,nike,click,2026-01-01\n", .generic))
        #expect(
            partial.description
                == "bad.csv:1:1: expected a header naming the columns shopper,brand,event,time[,count], found a header without event, time")
    }

    @Test("strict mode lists the first 10 problems and the total; skip mode counts them")
    func strictAndSkip() throws {
        var text = "shopper,brand,event,time\n"
        for i in 0..<25 { text += i % 2 == 0 ? "a,b,click,2026-01-01\n" : "a,b,??,2026-01-01\n" }
        guard case .malformedRows(let problems, let total)? = Self.problem(text, .generic) else {
            Issue.record("expected malformedRows")
            return
        }
        #expect(problems.count == 10 && total == 12)
        #expect(problems.map(\.location.line) == [3, 5, 7, 9, 11, 13, 15, 17, 19, 21])
        let skipped = try TestSupport.read(text, .generic, badRows: .skip)
        #expect(skipped.count == 13 && skipped.skippedRows == 12)
    }

    @Test("a file cut into parts, decoded on any number of workers, gives the log or the error a single pass gives")
    func parts() throws {
        var random = SeededRandom(seed: 17)
        let kinds = ["click", "favorite", "follow", "cart", "purchase"]
        /// A generic events file: shoppers and brands repeating and new, blank lines, CRLF, bad
        /// rows at a rate of `bad` in 1000.
        func text(rows: Int, bad: Int) -> String {
            var text = "shopper,brand,event,time,count\n"
            for _ in 0..<rows {
                let shopper = random.unit() < 0.7 ? "s\(random.below(20))" : "顾客\(random.below(500))"
                let brand = "b\(random.below(random.unit() < 0.5 ? 10 : 300))"
                let kind = random.below(1000) < bad ? "like" : kinds[random.below(kinds.count)]
                let count = random.unit() < 0.2 ? "\(1 + random.below(3))" : ""
                text += "\(shopper),\(brand),\(kind),2026-0\(1 + random.below(9))-1\(random.below(10)),\(count)"
                text += random.unit() < 0.1 ? "\r\n" : "\n"
                if random.unit() < 0.05 { text += "\n" }
            }
            return text
        }
        func read(_ text: String, _ format: EventFormat, badRows: BadRowPolicy, threads: Int, partBytes: Int) -> Result<
            EventLog, InputError
        > {
            var options = EventReader.Options(format: format, badRows: badRows, threads: threads)
            options.partBytes = partBytes
            let file = MappedFile(path: "e.csv", contents: Data(text.utf8))
            return Result { () throws(InputError) in try EventReader(options).read(file) }
        }
        let files: [(String, EventFormat)] = [
            (text(rows: 3000, bad: 0), .generic), (text(rows: 3000, bad: 4), .generic), (text(rows: 200, bad: 100), .generic),
            ("a,b,1\n\na,c,2.5\r\nb,b,x\nc,a,3", .weights), ("\n\nshopper,brand,event,time\n\n", .generic),
        ]
        for (text, format) in files {
            for badRows in [BadRowPolicy.strict, .skip] {
                let single = read(text, format, badRows: badRows, threads: 1, partBytes: .max)
                if case .success(let log) = single { #expect(log.count > 0) }
                for (threads, partBytes) in [(1, 1), (2, 1), (3, 7), (2, 100), (4, 4096)] {
                    let parted = read(text, format, badRows: badRows, threads: threads, partBytes: partBytes)
                    #expect(parted == single, "\(format) \(badRows), \(threads) threads, parts of \(partBytes) bytes")
                }
            }
        }
    }

    @Test("keeping chosen shoppers' events: theirs alone, in file order, on any number of workers; the others' rows are still checked")
    func keepingShoppers() throws {
        var random = SeededRandom(seed: 29)
        var text = "shopper,brand,event,time\n"
        for n in 0..<2000 {
            let kind = n == 1500 ? "like" : ["click", "cart", "purchase"][random.below(3)]
            text += "s\(random.below(300)),b\(random.below(60)),\(kind),2026-0\(1 + random.below(9))-1\(random.below(10))\n"
        }
        // Shoppers whose id ends in an even digit. Row 1500 names no event kind, whoever's row it is.
        let keeps: @Sendable (UnsafeRawBufferPointer) -> Bool = { $0.last.map { $0 % 2 == 0 } ?? false }
        func read(_ text: String, badRows: BadRowPolicy, threads: Int, keeping: Bool) -> Result<EventLog, InputError> {
            var options = EventReader.Options(
                format: .generic, badRows: badRows, threads: threads, keepsShopper: keeping ? keeps : nil)
            options.partBytes = 1000
            let file = MappedFile(path: "e.csv", contents: Data(text.utf8))
            return Result { () throws(InputError) in try EventReader(options).read(file) }
        }
        /// Each event by ids.
        func events(_ log: EventLog) -> [String] {
            (0..<log.count).map {
                "\(log.shopperIDs[Int(log.shoppers[$0])]) \(log.brandIDs[Int(log.brands[$0])]) \(log.kinds[$0]) \(log.times[$0])"
            }
        }
        let all = try read(text, badRows: .skip, threads: 1, keeping: false).get()
        let wanted = (0..<all.count).filter { all.shopperIDs.withUTF8(at: Int(all.shoppers[$0]), keeps) }
        #expect(!wanted.isEmpty && wanted.count < all.count)
        for threads in [1, 2, 3] {
            let kept = try read(text, badRows: .skip, threads: threads, keeping: true).get()
            #expect(events(kept) == wanted.map { events(all)[$0] }, "\(threads) threads")
            #expect(kept.shopperIDs.count == Set(wanted.map { all.shoppers[$0] }).count, "only the kept shoppers' ids")
            #expect(kept.leftOutRows == all.count - wanted.count && kept.skippedRows == 1 && all.skippedRows == 1)
            // Strict: the bad row fails alike whoever's it is.
            #expect(
                read(text, badRows: .strict, threads: threads, keeping: true) == read(text, badRows: .strict, threads: 1, keeping: false))
        }
        // A file of others' events only is not empty: its shoppers are simply elsewhere.
        let others = try read("shopper,brand,event,time\ns1,b1,click,2026-01-01\n", badRows: .strict, threads: 1, keeping: true).get()
        #expect(others.count == 0 && others.leftOutRows == 1)
    }

    @Test("unreadable or unwritable files name the path and why; a pipe is read like a file")
    func unreadable() throws {
        #expect {
            try EventReader(format: .generic).read(path: "/nonexistent/events.csv")
        } throws: { error in
            guard case .unreadable(let file, _) = error as? InputError else { return false }
            return "\(error)" == "/nonexistent/events.csv: cannot read: No such file or directory" && file == "/nonexistent/events.csv"
        }
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        #expect(throws: InputError.unreadable(file: folder, reason: "it is a folder, not a file")) {
            try EventReader(format: .generic).read(path: folder)
        }
        #expect(throws: InputError.unwritable(file: folder, reason: "it is a folder, not a file")) {
            try AtomicFile.write(Data(), to: folder)
        }
        // `zcat events.csv.gz | venue stats --events /dev/stdin` (a pipe cannot be mapped; it used
        // to fail with "You don't have permission").
        let events = TestSupport.fixtures + "/events.csv"
        let piped = try TestSupport.run(
            "/bin/sh", ["-c", "cat \"$0\" | \"$1\" stats --events /dev/stdin --json", events, TestSupport.venueExecutable])
        let direct = try TestSupport.venue(["stats", "--events", events, "--json"])
        // The same counts and dates; only the file name and the reading time differ.
        func counts(_ json: String) -> [Substring] {
            json.split(separator: ",").filter { !$0.hasPrefix("{\"file\"") && !$0.hasPrefix("\"read_seconds\"") }
        }
        #expect(piped.status == 0 && counts(piped.out) == counts(direct.out) && counts(piped.out).count > 10, "\(piped.err)")
    }
}

@Suite("Interactions")
struct InteractionTests {
    @Test("CSR sums duplicates, sorts columns, and transposes")
    func csr() {
        let m = SparseMatrix(rows: 3, columns: 4, rowIndices: [2, 0, 2, 0, 2], columnIndices: [3, 1, 0, 1, 3], values: [1, 2, 3, 4, 5])
        #expect(m.rowStarts == [0, 1, 1, 3])
        #expect(m.columnIndices == [1, 0, 3])
        #expect(m.values == [6, 3, 6])
        let t = m.transposed()
        #expect(t.rows == 4 && t.rowStarts == [0, 1, 2, 2, 3])
        #expect(t.columnIndices == [2, 0, 2])
        #expect(t.transposed() == m)
    }

    @Test("CSR from random triples: columns ascending, duplicates summed in input order, short and long rows")
    func csrRandom() {
        var random = SeededRandom(seed: 3)
        let rows = 40
        let columns = 30
        var rowIndices: [Int32] = []
        var columnIndices: [Int32] = []
        var values: [Float] = []
        for i in 0..<3000 {
            // Row 0 is long (sorted by the general path), the rest short; values of very different
            // sizes, so the order of summation shows in the result.
            rowIndices.append(i % 3 == 0 ? 0 : Int32(random.next() % UInt64(rows)))
            columnIndices.append(Int32(random.next() % UInt64(columns)))
            values.append([1e8, 1, -1e8, 0.5, 3][Int(random.next() % 5)])
        }
        let m = SparseMatrix(rows: rows, columns: columns, rowIndices: rowIndices, columnIndices: columnIndices, values: values)
        var expected = [[Int32: Float]](repeating: [:], count: rows)
        for i in rowIndices.indices {
            let r = Int(rowIndices[i])
            expected[r][columnIndices[i]] = expected[r][columnIndices[i]].map { $0 + values[i] } ?? values[i]
        }
        #expect(m.range(ofRow: 0).count == columns)
        for r in 0..<rows {
            let range = m.range(ofRow: r)
            #expect(Array(m.columnIndices[range]) == expected[r].keys.sorted())
            for j in range { #expect(m.values[j].bitPattern == expected[r][m.columnIndices[j]]!.bitPattern) }
        }
    }

    @Test("a row built alone is the coordinate initialiser's row, to the bit, with the buffers reused")
    func rowBuilder() {
        var random = SeededRandom(seed: 5)
        var builder = SparseRowBuilder()
        // Long rows before short ones, so a short row must not keep a long one's entries; 32 and
        // 33 pairs sit either side of the switch from insertion sort to heap sort.
        for count in [200, 33, 32, 7, 1, 0, 64] {
            let columns = (0..<count).map { _ in Int32(random.next() % 40) }
            let values = (0..<count).map { _ in [1e8, 1, -1e8, 0.5, 3][Int(random.next() % 5)] as Float }
            builder.build(columns: columns, values: values)
            let m = SparseMatrix(
                rows: 1, columns: 40, rowIndices: [Int32](repeating: 0, count: count), columnIndices: columns, values: values)
            #expect(builder.columns == m.columnIndices, "\(count) pairs")
            #expect(builder.values.map(\.bitPattern) == m.values.map(\.bitPattern), "\(count) pairs")
        }
    }

    @Test("identifier map keeps first-seen order through growth")
    func identifiers() {
        var map = IdentifierMap()
        for i in 0..<5000 { #expect(map.intern("id\(i)") == Int32(i)) }
        #expect(map.intern("id42") == 42)
        #expect(map.count == 5000 && map[4999] == "id4999" && map.index(of: "id7") == 7 && map.index(of: "nope") == nil)
    }

    @Test("indices in another map: each id's index there or -1, equal maps the identity; alignment to another order")
    func indicesInAnotherMap() throws {
        var map = IdentifierMap()
        for i in 0..<3000 { map.intern("s\(i)") }
        var other = IdentifierMap()
        for i in stride(from: 2999, through: 0, by: -2) { other.intern("s\(i)") }
        other.intern("")
        let indices = map.indices(in: other)
        #expect(indices.count == 3000)
        #expect((0..<3000).allSatisfy { i in indices[i] == other.index(of: map[i]).map(Int32.init) ?? -1 })
        #expect(indices[2999] == 0 && indices[1] == 1499 && indices[0] == -1)
        #expect(map.indices(in: map) == (0..<3000).map(Int32.init))
        #expect(IdentifierMap().indices(in: other).isEmpty && other.indices(in: IdentifierMap()).allSatisfy { $0 == -1 })

        // A matrix aligned to its own maps is itself; to reversed maps, the same entries moved.
        let log = try TestSupport.read(
            "shopper,brand,event,time\na,x,click,2026-11-10\nb,y,cart,2026-11-10\na,z,purchase,2026-11-09\nc,x,click,2026-11-01\n", .generic
        )
        let matrix = InteractionMatrix(log: log)
        #expect(matrix.aligned(shoppers: log.shopperIDs, brands: log.brandIDs) == matrix.byShopper)
        var shoppers = IdentifierMap()
        var brands = IdentifierMap()
        for id in ["c", "new", "a"] { shoppers.intern(id) }
        for id in ["z", "x"] { brands.intern(id) }
        let moved = matrix.aligned(shoppers: shoppers, brands: brands)
        #expect(moved.rows == 3 && moved.columns == 2)
        #expect(moved.rowStarts == [0, 1, 1, 3] && moved.columnIndices == [1, 0, 1] && moved.values == [1, 10, 1])
    }

    @Test("events of chosen shoppers through a time: others' and later events left out, undated ones kept, id maps whole")
    func eventsOfShoppers() {
        var log = EventLog()
        for (shopper, brand, time) in [("A", "x", 10), ("B", "y", 10), ("A", "y", 30), ("C", "x", 5), ("A", "z", -1), ("C", "z", 20)] {
            log.append(shopper: shopper, brand: brand, kind: .click, time: time < 0 ? EventLog.noTime : Int64(time))
        }
        var chosen = IdentifierMap()
        for id in ["C", "A", "NOBODY"] { chosen.intern(id) }
        let kept = log.events(of: chosen, through: 20)
        let rows = (0..<kept.count).map { "\(kept.shopperIDs[Int(kept.shoppers[$0])])\(kept.brandIDs[Int(kept.brands[$0])])" }
        #expect(rows == ["Ax", "Cx", "Az", "Cz"])
        #expect(kept.shopperIDs == log.shopperIDs && kept.brandIDs == log.brandIDs)
        #expect(log.filtered { _ in true } == log && log.through(30) == log && log.through(29).count == 5)
        #expect(log.latestTime() == 30 && log.latestTime { log.shoppers[$0] == 2 } == 20)
        #expect(log.latestTime { log.times[$0] == EventLog.noTime } == nil && EventLog().latestTime() == nil)
    }

    @Test(
        "a model's rows straight from the log are the filtered log's matrix, aligned, to the bit: decay, references, zeros, other orders",
        arguments: 1...6)
    func byShopperIsTheAlignedMatrix(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var log = EventLog()
        for _ in 0..<3000 {
            log.append(
                shopper: "s\(random.below(120))", brand: "b\(random.below(40))", kind: EventKind.allCases[random.below(6)],
                time: random.below(10) == 0 ? EventLog.noTime : Int64(random.below(1000)) * 3600,
                value: random.below(8) == 0 ? 0 : Float(random.below(5)))
        }
        // Other orders: some ids the log has, shuffled, and some it has not.
        var shoppers = IdentifierMap()
        var brands = IdentifierMap()
        for i in (0..<150).shuffled(using: &random) where random.below(4) > 0 { shoppers.intern("s\(i)") }
        for i in (0..<50).shuffled(using: &random) where random.below(4) > 0 { brands.intern("b\(i)") }
        let cut = Int64(random.below(1000)) * 3600
        let kind = EventKind.allCases[random.below(5)]
        let filters: [(Int) -> Bool] = [{ _ in true }, { log.times[$0] <= cut }, { log.kinds[$0] != kind && log.times[$0] <= cut }]
        func weighting(halfLife: Double?, reference: Int64?) -> EventWeighting {
            var weighting = EventWeighting()
            weighting.halfLifeDays = halfLife
            weighting.reference = reference
            return weighting
        }
        for weighting in [
            weighting(halfLife: nil, reference: nil), weighting(halfLife: 7, reference: nil), weighting(halfLife: 3, reference: cut),
        ] {
            for (f, isIncluded) in filters.enumerated() {
                for (s, b) in [(log.shopperIDs, log.brandIDs), (shoppers, brands)] {
                    let expected = InteractionMatrix(log: log.filtered(isIncluded), weighting: weighting).aligned(shoppers: s, brands: b)
                    let direct = InteractionMatrix.byShopper(of: log, weighting: weighting, shoppers: s, brands: b, where: isIncluded)
                    #expect(direct == expected, "filter \(f), \(weighting)")
                }
            }
        }
    }

    @Test("event weights, recency half-life and confidence")
    func weighting() throws {
        let log = try TestSupport.read(
            "shopper,brand,event,time\na,x,click,2026-11-10\na,x,purchase,2026-10-11\na,y,cart,2026-11-10\n", .generic)
        var weighting = EventWeighting()
        #expect(InteractionMatrix(log: log, weighting: weighting).byShopper.values == [11, 5])
        weighting.halfLifeDays = 30
        let decayed = InteractionMatrix(log: log, weighting: weighting).byShopper.values
        #expect(abs(decayed[0] - 6) < 1e-5 && decayed[1] == 5)
        #expect(Confidence.linear(alpha: 10)(2) == 21)
        #expect(abs(Confidence.logarithmic(alpha: 2, epsilon: 1)(1) - (1 + 2 * Float(0.693_147_2))) < 1e-6)
        // 1 + α·ln(1 + r/ε): r = 3, ε = 0.5 → 1 + 2·ln 7.
        #expect(abs(Confidence.logarithmic(alpha: 2, epsilon: 0.5)(3) - (1 + 2 * Float(1.945_910_1))) < 1e-5)
    }

    @Test("calendar round trip")
    func calendar() {
        for days in stride(from: Int64(-800_000), to: 800_000, by: 997) {
            let d = CalendarTime.date(days: days)
            #expect(CalendarTime.days(year: d.year, month: d.month, day: d.day) == days)
        }
        #expect(CalendarTime.isoDate(0) == "1970-01-01")
        #expect(CalendarTime.day("2024-02-29") == CalendarTime.seconds(year: 2024, month: 2, day: 29))
        // A day is exactly YYYY-MM-DD: no impossible dates, date-times, Unix seconds or compact forms.
        for refused in ["2023-02-29", "2014-13-15", "2014-07-15T10:00", "2014-07-15 ", "1405382400", "20140715", "2014-7-15", ""] {
            #expect(CalendarTime.day(refused) == nil, "\(refused)")
        }
        // Event times stay flexible.
        #expect(Array("1405382400".utf8).withUnsafeBytes { CalendarTime.parseFlexible($0) } == 1_405_382_400)
        // Unix seconds span the years dates can spell, 0000–9999, so every time has a YYYY-MM-DD.
        let first = CalendarTime.seconds(year: 0, month: 1, day: 1)
        let last = CalendarTime.seconds(year: 10_000, month: 1, day: 1) - 1
        for (seconds, parsed) in [(first, true), (last, true), (first - 1, false), (last + 1, false)] {
            #expect((Array(String(seconds).utf8).withUnsafeBytes { CalendarTime.parseFlexible($0) } != nil) == parsed, "\(seconds)")
        }
        #expect(CalendarTime.isoDate(first) == "0000-01-01" && CalendarTime.isoDate(last) == "9999-12-31")
    }
}

@Suite("Atomic file writer")
struct AtomicFileWriterTests {
    /// Deterministic bytes with no period that lines up with a stage or a page.
    static func pattern(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    @Test("the file holds exactly the bytes given, across stage boundaries")
    func roundTrip() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        // Pieces: tiny, page-sized, a stage and a half, odd; 9 MiB + 7 bytes in all.
        let pieces = [1, 4095, 4096, 6 << 20, 3, (3 << 20) - 4195, 4099].enumerated().map { Self.pattern($1, seed: UInt64($0)) }
        let path = folder + "/out/venues.jsonl"
        let writer = try AtomicFileWriter(path: path)
        for piece in pieces { try writer.write(piece) }
        try writer.write([UInt8]())
        #expect(!FileManager.default.fileExists(atPath: path), "nothing under the final name before commit")
        try writer.commit()
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written.count == pieces.reduce(0) { $0 + $1.count })
        #expect(written == pieces.flatMap { $0 })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/out") == ["venues.jsonl"], "no temporary left")
    }

    @Test("a resumable writer continues from its last durable point: later bytes are cut, earlier ones kept")
    func resumable() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let path = folder + "/venues.jsonl"
        let mark = folder + "/mark"
        let first = Self.pattern(5 << 20, seed: 1)
        do {
            let writer = try AtomicFileWriter(path: path, resumingAt: 0)
            try writer.write(first)
            writer.flush { length in try String(length).write(toFile: mark, atomically: true, encoding: .utf8) }
            try writer.write(Self.pattern(3 << 20, seed: 2))
            writer.flush { _ in }
            writer.discard()  // as a crash would: no commit, the partial file stays
        }
        let partial = AtomicFileWriter.partialPath(for: path)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: partial)).count == (5 << 20) + (3 << 20))
        let offset = try #require(Int(try String(contentsOfFile: mark, encoding: .utf8)))
        #expect(offset == first.count)
        let resumed = try AtomicFileWriter(path: path, resumingAt: offset)
        let second = Self.pattern(1 << 20, seed: 3)
        try resumed.write(second)
        try resumed.commit()
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == first + second)
        #expect(!FileManager.default.fileExists(atPath: partial))
        // A partial file shorter than the point to resume from is refused.
        #expect(throws: InputError.self) { try AtomicFileWriter(path: folder + "/other.jsonl", resumingAt: 10) }
    }

    @Test("discard leaves the old file and no temporary")
    func discard() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let path = folder + "/venues.jsonl"
        try AtomicFile.write("old\n", to: path)
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Self.pattern(5 << 20, seed: 9))
        writer.discard()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["venues.jsonl"])
    }

    @Test("a link's file is replaced and the link kept; a pipe is written in place, not replaced by a file")
    func linksAndPipes() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        try FileManager.default.createDirectory(atPath: folder + "/real", withIntermediateDirectories: true)
        try AtomicFile.write("old\n", to: folder + "/real/list.jsonl")
        try FileManager.default.createSymbolicLink(atPath: folder + "/list.jsonl", withDestinationPath: "real/list.jsonl")
        try AtomicFile.write("new\n", to: folder + "/list.jsonl")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/list.jsonl") == "real/list.jsonl")
        #expect(try String(contentsOfFile: folder + "/real/list.jsonl", encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/real") == ["list.jsonl"], "no temporary left")

        // `--out /dev/stdout` or a named pipe: renaming a file over it (as root, even in /dev)
        // replaced the pipe and the reader got nothing.
        let pipe = folder + "/pipe"
        #expect(mkfifo(pipe, 0o600) == 0)
        let reader = open(pipe, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        try AtomicFile.write("through the pipe\n", to: pipe)
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(reader, &buffer, buffer.count)
        #expect(count > 0 && String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self) == "through the pipe\n")
        var status = stat()
        #expect(lstat(pipe, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO, "still a pipe")
        // A resumable writer needs a file it can cut back.
        #expect(throws: InputError.self) { try AtomicFileWriter(path: pipe, resumingAt: 0) }
    }
}
