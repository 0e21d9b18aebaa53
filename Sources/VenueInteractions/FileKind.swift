import Foundation

/// What a path names, links followed: how the readers and writers of input and output files, and
/// the command's checks of output paths, tell a file from a folder or a stream.
public enum FileKind: Equatable, Sendable {
    /// A regular file: mapped when read, replaced atomically when written.
    case file
    /// A folder, which is never read or written as a file (``folderReason``).
    case folder
    /// A device, pipe or socket: read to its end, written in place.
    case stream

    /// Why a folder cannot stand where a file must.
    public static let folderReason = "it is a folder, not a file"

    /// The kind of `path`, or `nil` when it cannot be examined (`errno` says why: most often, it
    /// does not exist).
    public init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .folder
        default: self = .stream
        }
    }
}
