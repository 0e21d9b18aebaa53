/// What a shopper did with a brand.
public enum EventKind: UInt8, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    /// Viewed the brand's page or an item of it.
    case click = 0
    /// Favourited an item of the brand.
    case favorite = 1
    /// Followed the brand's store.
    case follow = 2
    /// Put an item of the brand in the cart.
    case cart = 3
    /// Bought an item of the brand.
    case purchase = 4
    /// A pre-aggregated strength (weights files, play counts, ratings): the row's value is used as is.
    case weight = 5

    /// The name used in event files.
    public var description: String {
        switch self {
        case .click: "click"
        case .favorite: "favorite"
        case .follow: "follow"
        case .cart: "cart"
        case .purchase: "purchase"
        case .weight: "weight"
        }
    }

    /// The kind named `name` in a generic events file (`favourite` is accepted too).
    public init?(name: String) {
        switch name.lowercased() {
        case "click": self = .click
        case "favorite", "favourite": self = .favorite
        case "follow": self = .follow
        case "cart": self = .cart
        case "purchase": self = .purchase
        default: return nil
        }
    }
}
