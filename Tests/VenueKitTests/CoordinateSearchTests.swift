import Testing
import VenueKit

@testable import VenueCommand

@Suite("Coordinate search (venue tune)")
struct CoordinateSearchTests {
    @Test("moves as soon as a value scores better, sweeps again, stops after a sweep that moves nothing")
    func trace() {
        let table: [[Int]: Double] = [[0, 0]: 1, [1, 0]: 2, [2, 0]: 3, [0, 1]: 9, [1, 1]: 0, [2, 1]: 3]
        var order: [[Int]] = []
        let search = CoordinateSearch(sizes: [3, 2], budget: 100)
        let found = search.best(from: [0, 0]) { point in
            order.append(point)
            return table[point]!
        }
        // [0, 1] would be best, but no single step from the path reaches it; [2, 1] only ties.
        #expect(order == [[0, 0], [1, 0], [2, 0], [2, 1]])
        #expect(found.point == [2, 0] && found.score == 3)

        order = []
        let cut = CoordinateSearch(sizes: [3, 2], budget: 2).best(from: [0, 0]) { point in
            order.append(point)
            return table[point]!
        }
        #expect(order == [[0, 0], [1, 0]] && cut.point == [1, 0])
    }

    @Test("on random grids: each point scored once, never more than the budget, and with budget to spare a point no single step improves")
    func randomGrids() {
        var random = SeededRandom(seed: 3)
        for _ in 0..<200 {
            let sizes = (0..<(1 + random.below(4))).map { _ in 1 + random.below(4) }
            // Few distinct scores, so ties are common: a tie never moves the search.
            var table: [[Int]: Double] = [:]
            func score(_ point: [Int]) -> Double {
                if let known = table[point] { return known }
                let value = Double(random.below(5))
                table[point] = value
                return value
            }
            let start = sizes.map { random.below($0) }
            let budget = 1 + random.below(30)
            var scored: [[Int]] = []
            let found = CoordinateSearch(sizes: sizes, budget: budget).best(from: start) { point in
                scored.append(point)
                return score(point)
            }
            #expect(Set(scored).count == scored.count, "a point scored twice")
            #expect(scored.count <= budget && scored.first == start)
            #expect(found.score == table[found.point])
            #expect(scored.allSatisfy { table[$0]! <= found.score }, "the best point scored is the one found")
            if scored.count < budget {
                for setting in sizes.indices {
                    for value in 0..<sizes[setting] {
                        var neighbour = found.point
                        neighbour[setting] = value
                        #expect(score(neighbour) <= found.score, "a single step from \(found.point) improves")
                    }
                }
            }
        }
    }
}
