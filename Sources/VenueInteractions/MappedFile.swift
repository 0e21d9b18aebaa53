import Foundation

/// A file's bytes, memory-mapped: the OS pages it in as the reader streams through it, so a
/// multi-gigabyte log never becomes one `String` or one heap buffer.
public struct MappedFile: Sendable {
    /// The path as given.
    public let path: String
    /// The file's contents (mapped, not copied).
    public let data: Data

    /// Maps the file at `path`. What cannot be mapped but can be read, such as a pipe
    /// (`/dev/stdin`, or `<(zcat events.csv.gz)` in a shell), is read into memory instead.
    public init(path: String) throws(InputError) {
        self.path = path
        guard let kind = FileKind(path: path) else { throw .unreadable(file: path, reason: String(cString: strerror(errno))) }
        switch kind {
        case .folder:
            throw .unreadable(file: path, reason: FileKind.folderReason)
        case .file:
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            } catch {
                throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
            }
        case .stream:
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw .unreadable(file: path, reason: String(cString: strerror(errno)))
            }
            defer { try? handle.close() }
            do {
                data = try handle.readToEnd() ?? Data()
            } catch {
                throw .unreadable(file: path, reason: (error as NSError).localizedDescription)
            }
        }
    }

    /// An in-memory "file", for tests and generated data.
    public init(path: String, contents: Data) {
        self.path = path
        self.data = contents
    }
}
