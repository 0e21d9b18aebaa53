/// Where a venue generator finds a shopper's factors, history and follows.
enum ShopperRow: Sendable {
    /// A row of the model.
    case model(Int)
    /// A row of the generator's newcomers: shoppers of its events the model does not know.
    case newcomer(Int)
}
