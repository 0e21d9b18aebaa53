import VenueInteractions

/// A split by time, as the Tmall contest did: train on events up to and including a day, test on
/// the events of chosen kinds (purchases by default) in a later window.
///
/// Both sides keep the log's id maps, so brand and shopper indices mean the same everywhere, and
/// the training side never holds an event after the cut (a test checks this).
public struct TimeSplit: Sendable {
    /// Events at or before the end of the training day.
    public let train: EventLog
    /// The last second of the training period.
    public let cut: Int64
    /// Each test shopper's test brands (sorted, distinct), shoppers in order of their first test
    /// event.
    public let test: [(shopper: Int32, brands: [Int32])]

    /// The training side alone, through the day `trainUntil`, with no test events: for fitting
    /// what the days after it will use. O(events).
    public init(_ log: EventLog, trainUntil: Int64) {
        self.init(log, trainUntil: trainUntil, testFrom: trainUntil, testUntil: trainUntil, testKinds: [])
    }

    /// Splits `log`: train through the day `trainUntil` (Unix seconds of any moment that day),
    /// test = events of `testKinds` from the day `testFrom` through the day `testUntil`. O(events).
    public init(_ log: EventLog, trainUntil: Int64, testFrom: Int64, testUntil: Int64, testKinds: Set<EventKind> = [.purchase]) {
        let day: Int64 = 86_400
        let cut = (trainUntil / day + 1) * day - 1
        let testStart = testFrom / day * day
        let testEnd = (testUntil / day + 1) * day - 1
        self.cut = cut
        train = log.filtered { log.times[$0] != EventLog.noTime && log.times[$0] <= cut }
        var order: [Int32] = []
        var sets: [Int32: Set<Int32>] = [:]
        for i in 0..<log.count where log.times[i] >= testStart && log.times[i] <= testEnd && testKinds.contains(log.kinds[i]) {
            let s = log.shoppers[i]
            if sets[s] == nil { order.append(s) }
            sets[s, default: []].insert(log.brands[i])
        }
        test = order.map { ($0, sets[$0]!.sorted()) }
    }
}
