/// The `q` quantile (0…1) of `sorted`, which must be ascending and non-empty: linear
/// interpolation between the two nearest ranks, as numpy's default. Infinite values are allowed
/// (equal neighbours give themselves, not NaN). O(1).
public func quantile(ofSorted sorted: [Double], _ q: Double) -> Double {
    precondition(!sorted.isEmpty, "no values")
    let position = q * Double(sorted.count - 1)
    let low = Int(position)
    let high = min(low + 1, sorted.count - 1)
    let fraction = position - Double(low)
    if fraction == 0 || sorted[low] == sorted[high] { return sorted[low] }
    return sorted[low] + (sorted[high] - sorted[low]) * fraction
}
