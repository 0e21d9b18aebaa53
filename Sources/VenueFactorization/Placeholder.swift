public enum VenueFactorizationPlaceholder {}
