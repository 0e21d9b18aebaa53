import Foundation

/// Writes whole files so that a reader sees either the old file or the complete new one (through
/// ``AtomicFileWriter``: a temporary file beside the destination, renamed over it).
public enum AtomicFile {
    /// Writes `data` to `path` atomically, creating the parent folder when missing.
    public static func write(_ data: Data, to path: String) throws(InputError) {
        let writer = try AtomicFileWriter(path: path)
        try writer.write(data)
        try writer.commit()
    }

    /// Writes `text` as UTF-8 to `path` atomically.
    public static func write(_ text: String, to path: String) throws(InputError) {
        try write(Data(text.utf8), to: path)
    }
}
