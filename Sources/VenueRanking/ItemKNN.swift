import VenueInteractions

/// Item-based k-nearest-neighbours: cosine similarity between brand columns of the binary
/// shopper × brand matrix, each brand keeping its `k` most similar brands.
///
/// score(s, b) = Σ over brands j in s's history of strength(s, j) · sim(j, b). Building costs
/// O(Σ_shoppers |row|² + brands · k log k); scoring one shopper O(|row| · k).
public struct ItemKNN: Sendable {
    /// Neighbours of each brand: (brand, similarity), most similar first.
    public let neighbours: [[(brand: Int32, similarity: Float)]]

    /// Neighbour lists from `matrix` (its nonzero pattern), `k` per brand.
    public init(_ matrix: InteractionMatrix, k: Int = 50) {
        let byBrand = matrix.byBrand
        let byShopper = matrix.byShopper
        let n = matrix.brandCount
        let norms = (0..<n).map { Float(byBrand.count(ofRow: $0)).squareRoot() }
        var overlap = [Float](repeating: 0, count: n)
        var touched: [Int32] = []
        var lists: [[(brand: Int32, similarity: Float)]] = []
        lists.reserveCapacity(n)
        var top = TopK(k: k)
        for i in 0..<n {
            for p in byBrand.range(ofRow: i) {
                let u = Int(byBrand.columnIndices[p])
                for q in byShopper.range(ofRow: u) {
                    let j = byShopper.columnIndices[q]
                    if overlap[Int(j)] == 0 { touched.append(j) }
                    overlap[Int(j)] += 1
                }
            }
            top.reset(k: k)
            for j in touched {
                if Int(j) != i { top.insert(j, score: overlap[Int(j)] / (norms[i] * norms[Int(j)])) }
                overlap[Int(j)] = 0
            }
            touched.removeAll(keepingCapacity: true)
            lists.append(top.sorted().map { (brand: $0.index, similarity: $0.score) })
        }
        neighbours = lists
    }

    /// Adds the shopper's kNN scores into `scores` (one slot per brand) for the history row
    /// `(brands, strengths)`. O(|row| · k).
    public func accumulate(brands: ArraySlice<Int32>, strengths: ArraySlice<Float>, into scores: inout [Float]) {
        var touched: [Int32] = []
        accumulate(brands: brands, strengths: strengths, into: &scores, touched: &touched)
    }

    /// ``accumulate(brands:strengths:into:)``, appending to `touched` each brand whose score
    /// leaves zero, so a caller can read and reset only those instead of every brand. Strengths
    /// and similarities are positive, so a score never returns to zero and no brand is appended
    /// twice when `scores` starts at zero. O(|row| · k).
    public func accumulate(
        brands: ArraySlice<Int32>, strengths: ArraySlice<Float>, into scores: inout [Float], touched: inout [Int32]
    ) {
        for (j, r) in zip(brands, strengths) {
            for (b, similarity) in neighbours[Int(j)] {
                let before = scores[Int(b)]
                scores[Int(b)] = before + r * similarity
                if before == 0, scores[Int(b)] != 0 { touched.append(b) }
            }
        }
    }

    /// The shopper's best `top.k` brands by kNN score, those with a positive score, ties to the
    /// lower index, into `top` (emptied first): the history row is scored into `scores`, all zero
    /// on entry, as ``accumulate(brands:strengths:into:touched:)`` scores it. `scores` keeps the
    /// scores of the `touched` brands; setting those back to zero readies it for the next row.
    /// Reads only the touched brands, not every brand: O(|row| · k + touched · log top.k).
    public func best(
        brands: ArraySlice<Int32>, strengths: ArraySlice<Float>, scores: inout [Float], touched: inout [Int32], into top: inout TopK
    ) {
        accumulate(brands: brands, strengths: strengths, into: &scores, touched: &touched)
        top.reset(k: top.k)
        // The touched brands come in no order, so one that ties the worst kept score may still win
        // on its index, which ``TopK/insert(_:score:)`` decides.
        for b in touched {
            let score = scores[Int(b)]
            if score > 0, score >= top.threshold { top.insert(b, score: score) }
        }
    }
}
