import Foundation
import Testing
import VenueKit

@Suite("Blend features")
struct BlendFeaturesTests {
    @Test(
        "candidates: the history, the top 30 by factor and by item-kNN score (positive, ties to the lower brand), the most bought; ranks by history and factor score; one workspace over many shoppers, prepared in blocks or not, gives every shopper's rows from a fresh one"
    )
    func candidates() throws {
        let log = try EventReader(format: .generic).read(path: TestSupport.fixtures + "/events.csv")
        let split = TimeSplit(
            log, trainUntil: CalendarTime.day("2026-10-20")!, testFrom: CalendarTime.day("2026-10-21")!,
            testUntil: CalendarTime.day("2026-11-10")!)
        let history = log.through(split.cut)
        let matrix = InteractionMatrix(log: history)
        var settings = ALSConfiguration()
        settings.factors = 16
        settings.iterations = 3
        let model = try ImplicitALS(settings).train(matrix)
        let features = BlendFeatures(log: log, cut: split.cut, model: model, perSource: 30, popularCandidates: 10)
        let knn = ItemKNN(matrix, k: 50)
        let mostBought = BaselineRankers.popularity(history, order: BrandIDOrder(log.brandIDs)).prefix(10)
        let (n, factorNames) = (model.brandIDs.count, BlendFeatures.names)
        let (factor, factorRank, historyRank) = (
            factorNames.firstIndex(of: "factor")!, factorNames.firstIndex(of: "factor_rank")!, factorNames.firstIndex(of: "history_rank")!
        )
        // The best 30 brands with a positive score, ties to the lower index, by brute force.
        func best(_ scores: [Float]) -> Set<Int32> {
            Set((0..<n).filter { scores[$0] > 0 }.sorted { (scores[$0], -$0) > (scores[$1], -$1) }.prefix(30).map { Int32($0) })
        }
        var workspace = features.makeWorkspace()
        var tiedKNN = 0
        for first in stride(from: 0, to: 320, by: BlendFeatures.Workspace.blockCapacity) {
            let block = (first..<first + BlendFeatures.Workspace.blockCapacity).map { Int32($0) }
            if first % 32 == 0 { features.prepare(block, workspace: &workspace) }
            for s in block {
                let rows = features.candidates(of: s, workspace: &workspace)
                let fresh = features.candidates(of: s)
                #expect(rows.map(\.brand) == fresh.map(\.brand) && rows.map(\.values) == fresh.map(\.values), "shopper \(s)")

                var factorScores = [Float](repeating: 0, count: n)
                let x = model.shopperFactors.row(Int(s))
                model.brandFactors.withUnsafeBufferPointer { table in
                    factorScores.withUnsafeMutableBufferPointer {
                        RankingKernels.gemvRows(factors: model.factors, rows: n, table: table.baseAddress!, x: x, y: $0.baseAddress!)
                    }
                }
                var knnScores = [Float](repeating: 0, count: n)
                let row = matrix.byShopper.range(ofRow: Int(s))
                knn.accumulate(brands: matrix.byShopper.columnIndices[row], strengths: matrix.byShopper.values[row], into: &knnScores)
                let topKNN = best(knnScores)
                if let worst = topKNN.map({ knnScores[Int($0)] }).min(), knnScores.filter({ $0 == worst }).count > 1 { tiedKNN += 1 }
                let owned = Set((0..<history.count).filter { history.shoppers[$0] == s }.map { history.brands[$0] })
                let expected = owned.union(best(factorScores)).union(topKNN).union(mostBought)
                #expect(rows.map(\.brand) == expected.sorted(), "shopper \(s): ascending, each once")

                // Ranks among the candidates, 0 best, as 1 / (1 + rank): by factor score and by
                // own history (feature 1 is its log1p), ties to the lower brand.
                let byFactor = rows.sorted { ($0.values[factor], -$0.brand) > ($1.values[factor], -$1.brand) }
                for (rank, candidate) in byFactor.enumerated() {
                    #expect(candidate.values[factor] == Double(factorScores[Int(candidate.brand)]))
                    #expect(candidate.values[factorRank] == 1 / (1 + Double(rank)), "shopper \(s), brand \(candidate.brand)")
                }
                let byHistory = rows.filter { owned.contains($0.brand) }.sorted { ($0.values[1], -$0.brand) > ($1.values[1], -$1.brand) }
                for (rank, candidate) in byHistory.enumerated() { #expect(candidate.values[historyRank] == 1 / (1 + Double(rank))) }
            }
        }
        #expect(tiedKNN > 0, "some shopper's 30th kNN score ties another brand's, so the tie rule is exercised")
    }
}
