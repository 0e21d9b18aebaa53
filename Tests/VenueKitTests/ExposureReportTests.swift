import Foundation
import Testing
import VenueKit

@Suite("Exposure reports: verdicts and shard merging")
struct ExposureReportTests {
    /// Writes `text` to `name` in `folder` and returns the path.
    private func file(_ folder: String, _ name: String, _ text: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private let header = "brand,guarantee,cap,planned,delivered,run\n"
    /// A run, as reports write it.
    private let run = "00000000000000a1"

    @Test("guarantees are judged by the guarantee, or for part of the population by the placements planned; caps by the cap")
    func verdicts() {
        let rows = [
            ExposureReport.Row(brand: "A", guarantee: 10, cap: nil, planned: 4, delivered: 9),
            ExposureReport.Row(brand: "B", guarantee: 10, cap: 12, planned: 10, delivered: 12),
            ExposureReport.Row(brand: "C", guarantee: nil, cap: 5, planned: 0, delivered: 6),
            // Delivered exactly as promised and planned: met either way.
            ExposureReport.Row(brand: "D", guarantee: 7, cap: nil, planned: 7, delivered: 7),
        ]
        let whole = ExposureReport(rows: rows, partial: false, run: 0xa1)
        #expect((whole.guarantees, whole.guaranteesMet, whole.caps, whole.capsKept) == (3, 2, 2, 1))
        let part = ExposureReport(rows: rows, partial: true, run: 0xa1)
        #expect((part.guarantees, part.guaranteesMet, part.caps, part.capsKept) == (3, 3, 2, 1))
        #expect(whole.csv == header + "A,10,,4,9,\(run)\nB,10,12,10,12,\(run)\nC,,5,0,6,\(run)\nD,7,,7,7,\(run)\n")
    }

    @Test("shards' reports add up, row by row; one report reads back to its own text")
    func merging() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        let a = try file(folder, "a.csv", header + "A,10,,4,9,\(run)\nB,,3,0,2,\(run)\n")
        let b = try file(folder, "b.csv", header + "A,10,,6,1,\(run)\nB,,3,0,2,\(run)\n")
        let merged = try ExposureReport(merging: [a, b], partial: false)
        #expect(merged.csv == header + "A,10,,10,10,\(run)\nB,,3,0,4,\(run)\n")
        #expect((merged.guaranteesMet, merged.capsKept, merged.run) == (1, 0, 0xa1))
        // Columns in another order are found by the header.
        let reordered = try file(
            folder, "c.csv", "run,delivered,planned,cap,guarantee,brand\nfedcba9876543210,9,4,,10,A\nfedcba9876543210,2,0,3,,B\n")
        let read = try ExposureReport(merging: [reordered], partial: true)
        #expect(read.csv == header + "A,10,,4,9,fedcba9876543210\nB,,3,0,2,fedcba9876543210\n" && read.run == 0xfedc_ba98_7654_3210)
    }

    @Test("a report unlike the first, or with a bad field, fails naming the file, line and column")
    func mergingRefusals() throws {
        let folder = TestSupport.temporaryFolder()
        defer { TestSupport.remove(folder) }
        // A blank line in the first report: messages name its real line numbers.
        let first = try file(folder, "first.csv", header + "A,10,,4,9,\(run)\n\nB,,3,0,2,\(run)\n")
        let sameRun = "A,10,,4,9,\(run)\n"
        let cases: [(text: String, line: Int, column: Int, expected: String)] = [
            (header + sameRun + "C,,3,0,2,\(run)\n", 3, 1, "brand B as on line 4 of \(first)"),
            (header + "A,11,,4,9,\(run)\nB,,3,0,2,\(run)\n", 2, 3, "guarantee 10 as on line 2 of \(first)"),
            (header + sameRun + "B,,,0,2,\(run)\n", 3, 4, "cap 3 as on line 4 of \(first)"),
            (header + "A,10,,x,9,\(run)\nB,,3,0,2,\(run)\n", 2, 7, "a whole number of placements"),
            (header + "A,10,,4,-1,\(run)\nB,,3,0,2,\(run)\n", 2, 9, "a whole number of pages"),
            (header + "A,10,,4,\(Int.max),\(run)\nB,,3,0,2,\(run)\n", 2, 9, "pages that sum to at most \(Int.max)"),
            (header + sameRun + "B,,3,0,2,\(run)\nD,,,0,0,\(run)\n", 4, 1, "no more brands than the 2 of \(first)"),
            (header + sameRun, 3, 1, "brand B as on line 4 of \(first)"),
            // Another run's report, with the same brands, guarantees and caps.
            (
                header + sameRun.replacingOccurrences(of: run, with: "00000000000000a2") + "B,,3,0,2,\(run)\n", 2, 11,
                "run \(run) as on line 2 of \(first): the reports of one run's shards"
            ),
            (header + sameRun + "B,,3,0,2,A1\n", 3, 10, "a run: 16 hexadecimal digits"),
            (header + sameRun + "B,,3,0,2,\(run)0\n", 3, 10, "a run: 16 hexadecimal digits"),
            (header + sameRun + "B,,3,0,2,00000000000000g1\n", 3, 10, "a run: 16 hexadecimal digits"),
        ]
        // A brand listed twice in the first report.
        let repeated = try file(folder, "repeated.csv", header + "A,10,,4,9,\(run)\n\nA,,3,0,2,\(run)\n")
        #expect(
            throws: InputError.malformedRows(
                problems: [
                    InputProblem(
                        location: InputLocation(file: repeated, line: 4, column: 1), expected: "a brand not listed before (A is on line 2)",
                        found: "\"A\"")
                ], total: 1)
        ) {
            try ExposureReport(merging: [repeated], partial: false)
        }
        for (n, example) in cases.enumerated() {
            let other = try file(folder, "other\(n).csv", example.text)
            do {
                _ = try ExposureReport(merging: [first, other], partial: false)
                Issue.record("case \(n) was accepted")
            } catch {
                let problem = try #require(error.problems.first)
                #expect(
                    problem.location == InputLocation(file: other, line: example.line, column: example.column)
                        && problem.expected == example.expected, "case \(n): \(error)")
            }
        }
    }
}
