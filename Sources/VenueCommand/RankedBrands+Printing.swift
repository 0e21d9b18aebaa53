import Foundation
import VenueKit

extension RankedBrands {
    /// Prints the list on standard output, a line per brand: rank (from 1), the brand's id in
    /// `brandIDs`, and its score to five decimals, tab-separated. What `recommend --shopper` and
    /// `similar --brand` print.
    func printLines(brandIDs: IdentifierMap) {
        for i in 0..<count {
            print("\(i + 1)\t\(brandIDs[Int(brands[i])])\t\(String(format: "%.5f", scores[i]))")
        }
    }
}
