extension InteractionMatrix {
    /// The shopper × brand matrix re-indexed to another id order (a model's): row `r` is shopper
    /// `shopperIDs[r]`, column `c` is brand `brandIDs[c]`. Shoppers or brands the other order does
    /// not know are dropped; shoppers without events get empty rows. O(nonzeros + shoppers).
    public func aligned(shoppers shopperIDs: IdentifierMap, brands brandIDs: IdentifierMap) -> SparseMatrix {
        if shopperIDs == self.shopperIDs && brandIDs == self.brandIDs { return byShopper }
        let brandMap = self.brandIDs.indices(in: brandIDs)
        let shopperMap = self.shopperIDs.indices(in: shopperIDs)
        var rows: [Int32] = []
        var columns: [Int32] = []
        var values: [Float] = []
        rows.reserveCapacity(nonzeroCount)
        columns.reserveCapacity(nonzeroCount)
        values.reserveCapacity(nonzeroCount)
        for s in 0..<shopperCount {
            let row = shopperMap[s]
            guard row >= 0 else { continue }
            for j in byShopper.range(ofRow: s) where brandMap[Int(byShopper.columnIndices[j])] >= 0 {
                rows.append(row)
                columns.append(brandMap[Int(byShopper.columnIndices[j])])
                values.append(byShopper.values[j])
            }
        }
        return SparseMatrix(rows: shopperIDs.count, columns: brandIDs.count, rowIndices: rows, columnIndices: columns, values: values)
    }
}
