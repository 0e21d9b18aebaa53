import ArgumentParser
import Foundation
import VenueKit

/// Where a command will write, checked with its options: a destination that could only fail at the
/// last step, after minutes of training or evaluation, is refused before any work (exit 64, the
/// option named). Permissions are left to the write itself, which reports them, located.
enum OutputPath {
    /// Refuses `path` as a file to write: it is a folder, or a file stands where a folder above it
    /// must be (missing folders are created when writing).
    static func validateFile(_ path: String, option: String) throws {
        if FileKind(path: path) == .folder { throw ValidationError("\(option) \(path) is a folder; give a file path") }
        try validateFolders(above: URL(fileURLWithPath: path).deletingLastPathComponent(), of: path, option: option)
    }

    /// Refuses `path` as a folder to write into: a file stands there, or where a folder above it
    /// must be.
    static func validateFolder(_ path: String, option: String) throws {
        try validateFolders(above: URL(fileURLWithPath: path), of: path, option: option)
    }

    /// The nearest existing path from `folder` up must be a folder.
    private static func validateFolders(above folder: URL, of path: String, option: String) throws {
        var folder = folder.standardizedFileURL
        var kind = FileKind(path: folder.path)
        while kind == nil {
            let parent = folder.deletingLastPathComponent()
            if parent == folder { return }
            folder = parent
            kind = FileKind(path: folder.path)
        }
        guard kind == .folder else {
            throw ValidationError("\(option) \(path): \(folder.path) is a file, where a folder must be")
        }
    }
}
