// The one module a Swift user imports: every layer's public API, re-exported.
@_exported import VenueAssembly
@_exported import VenueFactorization
@_exported import VenueInteractions
@_exported import VenueLinearAlgebra
@_exported import VenueRanking
