extension EventLog {
    /// The events for which `isIncluded(i)` holds, keeping both id maps whole (so indices keep
    /// their meaning). O(events).
    public func filtered(_ isIncluded: (Int) -> Bool) -> EventLog {
        var out = EventLog()
        out.shopperIDs = shopperIDs
        out.brandIDs = brandIDs
        // Counting first sizes the columns once: no regrowing a copy of a big log.
        let kept = (0..<count).reduce(0) { isIncluded($1) ? $0 + 1 : $0 }
        guard kept < count else { return withoutRowCounts() }
        out.reserveCapacity(kept)
        for i in 0..<count where isIncluded(i) {
            out.append(shopper: shoppers[i], brand: brands[i], kind: kinds[i], time: times[i], value: values[i])
        }
        return out
    }

    /// This log with its counts of rows not read zero, as ``filtered(_:)`` returns a log.
    private func withoutRowCounts() -> EventLog {
        var log = self
        log.skippedRows = 0
        log.ignoredRows = 0
        log.leftOutRows = 0
        return log
    }

    /// The events at or before `time` (Unix seconds); undated events are kept. O(events).
    public func through(_ time: Int64) -> EventLog {
        filtered { times[$0] == EventLog.noTime || times[$0] <= time }
    }

    /// The events of `shoppers` (ids; other shoppers' events are left out) at or before `time`
    /// (undated events kept), keeping both id maps whole. O(shopper ids + events).
    public func events(of shoppers: IdentifierMap, through time: Int64) -> EventLog {
        let member = shopperIDs.indices(in: shoppers)
        return filtered { member[Int(self.shoppers[$0])] >= 0 && (times[$0] == EventLog.noTime || times[$0] <= time) }
    }
}
