import Foundation

/// Streams bytes to a temporary file beside `path` and renames it into place on ``commit()``,
/// so a reader never sees a half-written file under the final name (a crash leaves only the
/// hidden temporary). Buffers 1 MiB between writes. Not thread-safe: one writer, one thread.
public final class AtomicFileWriter {
    /// The destination.
    public let path: String
    private let temporary: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var finished = false
    private static let bufferSize = 1 << 20

    /// Opens a temporary file beside `path`, creating the parent folder when missing.
    public init(path: String) throws(InputError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .unreadable(file: path, reason: "cannot create its folder: \((error as NSError).localizedDescription)")
        }
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw .unreadable(file: path, reason: "cannot write: \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit { if !finished { discard() } }

    /// Appends `bytes`. Contiguous inputs of 1 MiB or more go to the file directly, not through
    /// the buffer.
    public func write(_ bytes: some Collection<UInt8>) throws(InputError) {
        if bytes.count >= Self.bufferSize {
            try flush()
            let direct: Result<Void, InputError>? = bytes.withContiguousStorageIfAvailable { contiguous in
                Result { () throws(InputError) in try writeAll(UnsafeRawBufferPointer(contiguous)) }
            }
            if let direct { return try direct.get() }
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    /// Flushes, closes and renames the file into place.
    public func commit() throws(InputError) {
        try flush()
        finished = true
        guard close(descriptor) == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .unreadable(file: path, reason: "cannot write: \(reason)")
        }
    }

    /// Closes and removes the temporary file; the destination is untouched.
    public func discard() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        unlink(temporary)
    }

    private func flush() throws(InputError) {
        let result: Result<Void, InputError> = buffer.withUnsafeBytes { bytes in
            Result { () throws(InputError) in try writeAll(bytes) }
        }
        try result.get()
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes all of `bytes` to the temporary file; on failure discards it.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            guard written > 0 else {
                let reason = String(cString: strerror(errno))
                discard()
                throw .unreadable(file: path, reason: "cannot write: \(reason)")
            }
            offset += written
        }
    }
}
