/// A coordinate search over a grid of settings: from a starting point, try every other value of
/// one setting at a time with the rest held, move to a better point as soon as one is found, and
/// sweep the settings again until a whole sweep moves nothing or the budget of points is spent.
///
/// A point is a value index per setting. Each point is scored at most once (a point met again is
/// looked up), and the budget counts the points scored.
struct CoordinateSearch {
    /// The number of values of each setting.
    let sizes: [Int]
    /// The most points to score, at least 1.
    let budget: Int

    /// The best point found from `start` and its score, `score` giving higher for better.
    /// O(budget) calls of `score`.
    func best(from start: [Int], score: ([Int]) throws -> Double) rethrows -> (point: [Int], score: Double) {
        precondition(start.count == sizes.count && zip(start, sizes).allSatisfy { (0..<$1).contains($0) }, "start is off the grid")
        var scores: [[Int]: Double] = [:]
        func scored(_ point: [Int]) throws -> Double {
            if let known = scores[point] { return known }
            let value = try score(point)
            scores[point] = value
            return value
        }
        var current = start
        var best = try scored(current)
        var moved = true
        while moved && scores.count < budget {
            moved = false
            for setting in sizes.indices {
                for value in 0..<sizes[setting] where value != current[setting] && scores.count < budget {
                    var candidate = current
                    candidate[setting] = value
                    let candidateScore = try scored(candidate)
                    if candidateScore > best {
                        best = candidateScore
                        current = candidate
                        moved = true
                    }
                }
            }
        }
        return (current, best)
    }
}
