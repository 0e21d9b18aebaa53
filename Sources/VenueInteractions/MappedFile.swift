import Foundation

/// A file's bytes, memory-mapped: the OS pages it in as the reader streams through it, so a
/// multi-gigabyte log never becomes one `String` or one heap buffer.
public struct MappedFile: Sendable {
    /// The path as given.
    public let path: String
    /// The file's contents (mapped, not copied).
    public let data: Data

    /// Maps the file at `path`.
    public init(path: String) throws(InputError) {
        self.path = path
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// An in-memory "file", for tests and generated data.
    public init(path: String, contents: Data) {
        self.path = path
        self.data = contents
    }
}
