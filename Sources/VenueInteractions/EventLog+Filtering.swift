extension EventLog {
    /// The events for which `isIncluded(i)` holds, keeping both id maps whole (so indices keep
    /// their meaning). O(events).
    public func filtered(_ isIncluded: (Int) -> Bool) -> EventLog {
        var out = EventLog()
        out.shopperIDs = shopperIDs
        out.brandIDs = brandIDs
        for i in 0..<count where isIncluded(i) {
            out.append(shopper: shoppers[i], brand: brands[i], kind: kinds[i], time: times[i], value: values[i])
        }
        return out
    }

    /// The events at or before `time` (Unix seconds); undated events are kept. O(events).
    public func through(_ time: Int64) -> EventLog {
        filtered { times[$0] == EventLog.noTime || times[$0] <= time }
    }
}
