/// A summary of an event log: who, what, when, how dense.
public struct EventStatistics: Sendable, Equatable {
    /// Distinct shoppers.
    public var shoppers: Int
    /// Distinct brands.
    public var brands: Int
    /// Events (rows).
    public var events: Int
    /// Events per kind.
    public var eventsByKind: [EventKind: Int]
    /// Distinct (shopper, brand) pairs.
    public var pairs: Int
    /// Earliest and latest event time (Unix seconds), when the format has times.
    public var timeRange: ClosedRange<Int64>?
    /// Rows skipped as malformed.
    public var skippedRows: Int
    /// Well-formed rows without a brand, left out (see ``EventLog/ignoredRows``).
    public var ignoredRows: Int

    /// `pairs / (shoppers × brands)`.
    public var density: Double {
        shoppers == 0 || brands == 0 ? 0 : Double(pairs) / (Double(shoppers) * Double(brands))
    }

    /// Summarises `log`. O(events).
    public init(_ log: EventLog) {
        shoppers = log.shopperIDs.count
        brands = log.brandIDs.count
        events = log.count
        var byKind = [Int](repeating: 0, count: EventKind.allCases.count)
        var low = Int64.max
        var high = Int64.min
        for i in 0..<log.count {
            byKind[Int(log.kinds[i].rawValue)] += 1
            let t = log.times[i]
            if t != EventLog.noTime {
                low = min(low, t)
                high = max(high, t)
            }
        }
        eventsByKind = [:]
        for kind in EventKind.allCases where byKind[Int(kind.rawValue)] > 0 {
            eventsByKind[kind] = byKind[Int(kind.rawValue)]
        }
        timeRange = low <= high ? low...high : nil
        let ones = [Float](repeating: 1, count: log.count)
        pairs =
            SparseMatrix(rows: shoppers, columns: brands, rowIndices: log.shoppers, columnIndices: log.brands, values: ones).nonzeroCount
        skippedRows = log.skippedRows
        ignoredRows = log.ignoredRows
    }
}
