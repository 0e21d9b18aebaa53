import VenueKit

extension ExposureReport {
    /// A JSON object for a run's summary line: guarantees delivered in full (for part of the
    /// population: the placements planned for it), caps kept, the run it is of, and the file the
    /// report went to.
    func summary(file: String) -> String {
        "{\"guarantees\":\(guarantees),\"guarantees_met\":\(guaranteesMet),\"caps\":\(caps),\"caps_kept\":\(capsKept),"
            + "\"run\":\"\(runDigits)\",\"file\":\(jsonString(file))}"
    }
}
