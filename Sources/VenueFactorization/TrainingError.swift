import VenueLinearAlgebra

/// Which factor matrix a row belongs to.
public enum FactorSide: String, Sendable {
    /// Shopper factors (X).
    case shopper
    /// Brand factors (Y).
    case brand
}

/// Why training stopped. Every numeric failure names the iteration, the side and the row, so a
/// model never silently fills with NaN.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// A row's normal equations could not be factored.
    case choleskyFailed(iteration: Int, side: FactorSide, row: Int, id: String, failure: FactorizationFailure)
    /// A row's solution holds NaN or infinity.
    case nonFinite(iteration: Int, side: FactorSide, row: Int, id: String)

    /// What failed, naming the iteration, side, row and id where there is one.
    public var description: String {
        switch self {
        case .invalidConfiguration(let message):
            "invalid configuration: \(message)"
        case .choleskyFailed(let iteration, let side, let row, let id, let failure):
            "iteration \(iteration): Cholesky failed for \(side) row \(row) (id \(id)): \(failure)"
        case .nonFinite(let iteration, let side, let row, let id):
            "iteration \(iteration): \(side) row \(row) (id \(id)) became NaN or infinite; lower alpha or raise regularization"
        }
    }
}

/// A row-level failure inside a half-step, before it is given its iteration and id.
enum RowFailure: Sendable, Equatable {
    case cholesky(FactorizationFailure)
    case nonFinite
}
