import ArgumentParser

/// A comma-separated list given on the command line (`5,10,20,50`, `als,venue`), each element
/// parsed as `Element`.
///
/// The argument parser builds it, so one bad element refuses the whole value before any input is
/// read, with the option's name: `The value '5,x' is invalid for '-k <k>'`. Repeated elements
/// count once, in the order first given; an empty list is refused.
struct CommaSeparated<Element: ExpressibleByArgument & Hashable & Sendable>: ExpressibleByArgument, CustomStringConvertible, Sendable {
    /// The elements, each once, in the order first given.
    let elements: [Element]
    /// The list as written, for messages and reports.
    let text: String

    init?(argument: String) {
        var seen = Set<Element>()
        var elements: [Element] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let element = Element(argument: part.trimmingCharacters(in: .whitespaces)) else { return nil }
            if seen.insert(element).inserted { elements.append(element) }
        }
        guard !elements.isEmpty else { return nil }
        self.elements = elements
        self.text = argument
    }

    var description: String { text }
}
