/// Events as read from a file, column by column, with the id maps that give them dense indices.
///
/// Row `i` says: shopper `shoppers[i]` did `kinds[i]` to brand `brands[i]` at `times[i]`
/// (Unix seconds, or ``EventLog/noTime``), `values[i]` times (for ``EventKind/weight`` rows: with
/// that strength). Columns keep memory at 21 bytes per event.
public struct EventLog: Sendable, Equatable {
    /// The time of an event whose format carries none.
    public static let noTime = Int64.min

    /// Shopper ids, indexed in first-seen order.
    public var shopperIDs = IdentifierMap()
    /// Brand ids, indexed in first-seen order.
    public var brandIDs = IdentifierMap()
    /// Shopper index of each event.
    public var shoppers: [Int32] = []
    /// Brand index of each event.
    public var brands: [Int32] = []
    /// Kind of each event.
    public var kinds: [EventKind] = []
    /// Unix seconds of each event, or ``EventLog/noTime``.
    public var times: [Int64] = []
    /// Count (event rows) or strength (``EventKind/weight`` rows) of each event.
    public var values: [Float] = []
    /// Malformed rows skipped under ``BadRowPolicy/skip``.
    public var skippedRows = 0
    /// Well-formed rows that carry no shopper–brand interaction and were left out: IJCAI-15 rows
    /// with an empty `brand_id` (the data set has items without a brand).
    public var ignoredRows = 0
    /// Well-formed rows of shoppers the reader was asked to leave out
    /// (``EventReader/Options/keepsShopper``).
    public var leftOutRows = 0

    /// An empty log.
    public init() {}

    /// Number of events.
    public var count: Int { shoppers.count }

    /// Appends one event by indices.
    public mutating func append(shopper: Int32, brand: Int32, kind: EventKind, time: Int64, value: Float) {
        shoppers.append(shopper)
        brands.append(brand)
        kinds.append(kind)
        times.append(time)
        values.append(value)
    }

    /// Appends one event by ids, interning them.
    public mutating func append(shopper: String, brand: String, kind: EventKind, time: Int64 = noTime, value: Float = 1) {
        append(shopper: shopperIDs.intern(shopper), brand: brandIDs.intern(brand), kind: kind, time: time, value: value)
    }

    /// The time of the latest dated event among those `isIncluded(i)` picks (all by default), or
    /// `nil` when none has a time. O(events).
    public func latestTime(where isIncluded: (Int) -> Bool = { _ in true }) -> Int64? {
        var latest: Int64?
        for i in 0..<count where times[i] != EventLog.noTime && isIncluded(i) { latest = max(latest ?? .min, times[i]) }
        return latest
    }

    /// Appends `other`'s events after these, its ids interned into this log's maps: the log that
    /// reading this log's rows and then `other`'s would give, counts of skipped, ignored and
    /// left-out rows added. O(other's events + the total length of its ids).
    public mutating func append(contentsOf other: EventLog) {
        let shopperIndex = shopperIDs.intern(contentsOf: other.shopperIDs)
        let brandIndex = brandIDs.intern(contentsOf: other.brandIDs)
        shoppers.append(contentsOf: other.shoppers.lazy.map { shopperIndex[Int($0)] })
        brands.append(contentsOf: other.brands.lazy.map { brandIndex[Int($0)] })
        kinds.append(contentsOf: other.kinds)
        times.append(contentsOf: other.times)
        values.append(contentsOf: other.values)
        skippedRows += other.skippedRows
        ignoredRows += other.ignoredRows
        leftOutRows += other.leftOutRows
    }

    /// Reserves room for `count` events in all.
    public mutating func reserveCapacity(_ count: Int) {
        shoppers.reserveCapacity(count)
        brands.reserveCapacity(count)
        kinds.reserveCapacity(count)
        times.reserveCapacity(count)
        values.reserveCapacity(count)
    }
}
