import Foundation

/// Streams bytes to a temporary file beside `path` and renames it into place on ``commit()``,
/// so a reader never sees a half-written file under the final name (a crash leaves only the
/// hidden temporary). Not thread-safe: one writer, one thread.
///
/// A resumable writer (``init(path:resumingAt:)``) keeps its temporary file when it stops
/// without committing, and ``flush(then:)`` makes what it wrote durable, so a later writer can
/// pick up where a crashed one last flushed.
///
/// A destination that is a symbolic link is resolved first: the temporary file goes beside the
/// file the link names, and replaces that file, so the link stays. A destination that is not a
/// file at all (`/dev/stdout`, a named pipe, anything under `/dev` or `/proc`) is written in place,
/// as a stream: nothing to rename, and bytes already written stay written if the writer stops.
///
/// Bytes are staged in 4 MiB buffers that a background queue writes while the caller fills the
/// next one (up to four in flight), so the kernel's copy into the page cache, and a device that
/// throttles it, overlap the caller's work instead of stalling it.
public final class AtomicFileWriter {
    /// The destination.
    public let path: String
    /// The file being written and the file it replaces on ``commit()``; `nil` for a stream.
    private let replacing: (temporary: String, destination: String)?
    /// Whether the temporary file outlives a writer that does not commit (resumable writers).
    private let keepsPartial: Bool
    private let sink: StageSink
    /// The stage being filled, and how many bytes it holds.
    private var stage: Int
    private var staged = 0
    /// Bytes in the file once every stage is written: the resumed prefix plus all appended.
    private var length: Int
    private var finished = false

    /// Opens a temporary file beside `path`, creating the parent folder when missing, or `path`
    /// itself when it is a device or a pipe.
    public convenience init(path: String) throws(InputError) {
        try self.init(path: path, keepsPartial: false, offset: 0)
    }

    /// Opens ``partialPath(for:)`` to continue the work of an earlier resumable writer of `path`
    /// that stopped (a crash, a kill, an error) after a ``flush(then:)`` reported `offset`: the
    /// file is cut back to `offset` bytes and writes append after them. With `offset` 0 it starts
    /// afresh. Throws when the file holds fewer than `offset` bytes, or `path` is not a file.
    public convenience init(path: String, resumingAt offset: Int) throws(InputError) {
        try self.init(path: path, keepsPartial: true, offset: offset)
    }

    private init(path: String, keepsPartial: Bool, offset: Int) throws(InputError) {
        self.path = path
        self.keepsPartial = keepsPartial
        length = offset
        let kind = FileKind(path: path)
        if kind == .folder { throw .unwritable(file: path, reason: FileKind.folderReason) }
        let descriptor: Int32
        if kind == .stream || path.hasPrefix("/dev/") || path.hasPrefix("/proc/") {
            guard !keepsPartial else {
                throw .unwritable(file: path, reason: "not a file: a resumable output must be a file it can cut back")
            }
            replacing = nil
            descriptor = open(path, O_WRONLY)
            guard descriptor >= 0 else { throw .unwritable(file: path, reason: String(cString: strerror(errno))) }
        } else {
            let destination = Self.resolvingLinks(path)
            let url = URL(fileURLWithPath: destination)
            let temporary =
                keepsPartial
                ? Self.partialFile(of: path)
                : url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
            replacing = (temporary, destination)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw .unwritable(file: path, reason: "cannot create its folder: \((error as NSError).localizedDescription)")
            }
            descriptor = open(temporary, O_WRONLY | O_CREAT | (offset == 0 ? O_TRUNC : 0), 0o644)
            guard descriptor >= 0 else { throw .unwritable(file: path, reason: String(cString: strerror(errno))) }
            if offset > 0 {
                let end = lseek(descriptor, 0, SEEK_END)
                guard end >= offset, ftruncate(descriptor, off_t(offset)) == 0, lseek(descriptor, off_t(offset), SEEK_SET) == offset
                else {
                    close(descriptor)
                    throw .unreadable(file: temporary, reason: "holds \(end) bytes, fewer than the \(offset) to resume after")
                }
            }
        }
        sink = StageSink(descriptor: descriptor)
        stage = sink.take()
    }

    /// The file a symbolic link at `path` finally names (so replacing it keeps the link), or `path`
    /// when it is not a link or the link leads nowhere yet.
    private static func resolvingLinks(_ path: String) -> String {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK, let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The temporary file a resumable writer of `path` writes: `.NAME.partial` beside it.
    public static func partialPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial").path
    }

    /// The file a resumable writer of `path` keeps its work in: ``partialPath(for:)`` of the file
    /// a symbolic link at `path` finally names, or of `path` itself.
    public static func partialFile(of path: String) -> String { partialPath(for: resolvingLinks(path)) }

    deinit { if !finished { discard() } }

    /// Appends `bytes`.
    public func write(_ bytes: some Collection<UInt8>) throws(InputError) {
        let done: Result<Void, InputError>? = bytes.withContiguousStorageIfAvailable { contiguous in
            Result { () throws(InputError) in try write(UnsafeRawBufferPointer(contiguous)) }
        }
        if let done { return try done.get() }
        try write(Array(bytes))
    }

    /// Appends the bytes of `bytes`. Blocks only while every stage is waiting to be written.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        var offset = 0
        while offset < bytes.count {
            let n = min(StageSink.stageSize - staged, bytes.count - offset)
            (sink.buffer(stage) + staged).copyMemory(from: base + offset, byteCount: n)
            staged += n
            offset += n
            length += n
            if staged == StageSink.stageSize {
                sink.submit(stage, count: staged)
                staged = 0
                stage = sink.take()
                if let reason = sink.failure { try fail(reason) }
            }
        }
    }

    /// Makes everything appended so far durable, then calls `durable` with the file's length at
    /// that point: a length a resumable writer can continue from after a crash. The writes, the
    /// `fsync` and `durable` run in order on the writer's background queue while the caller goes
    /// on appending; a failure in any of them is thrown by a later write or ``commit()``.
    public func flush(then durable: @escaping @Sendable (Int) throws -> Void) {
        if staged > 0 {
            sink.submit(stage, count: staged)
            staged = 0
            stage = sink.take()
        }
        let length = length
        sink.sync { () throws in try durable(length) }
    }

    /// Writes what is staged, waits for the device, closes and renames the file into place.
    public func commit() throws(InputError) {
        if staged > 0 { sink.submit(stage, count: staged) }
        staged = 0
        sink.drain()
        if let reason = sink.failure { try fail(reason) }
        finished = true
        guard close(sink.descriptor) == 0, replacing.map({ rename($0.temporary, $0.destination) == 0 }) ?? true else {
            let reason = String(cString: strerror(errno))
            if let replacing { unlink(replacing.temporary) }
            throw .unwritable(file: path, reason: reason)
        }
    }

    /// Closes the temporary file and removes it, unless the writer is resumable; the destination
    /// is untouched.
    public func discard() {
        guard !finished else { return }
        finished = true
        sink.drain()
        close(sink.descriptor)
        if !keepsPartial, let replacing { unlink(replacing.temporary) }
    }

    /// Discards the temporary file and throws `reason`.
    private func fail(_ reason: String) throws(InputError) -> Never {
        discard()
        throw .unwritable(file: path, reason: reason)
    }
}

/// The stage buffers of an ``AtomicFileWriter`` and the serial queue that writes them.
///
/// The sharing rule: a buffer (and its slot in `buffers`) belongs to the writer from ``take()``
/// until ``submit(_:count:)``, then to the queue until the queue puts it back on the free list.
/// Buffers are allocated when first taken, so a small file costs one. The free list and the
/// failure are guarded by `lock` (whose condition wakes a writer waiting for a free stage); the
/// descriptor is written only from the queue, and synced only from `durability`, until
/// ``drain()`` returns.
private final class StageSink: @unchecked Sendable {
    static let stageSize = 4 << 20
    static let stageCount = 4

    let descriptor: Int32
    private let buffers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private var free: [Int]
    private var error: String?
    private let lock = NSCondition()
    private let queue = DispatchQueue(label: "VenueKit.AtomicFileWriter")
    private let durability = DispatchQueue(label: "VenueKit.AtomicFileWriter.fsync")

    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffers = .allocate(capacity: Self.stageCount)
        buffers.initialize(repeating: nil, count: Self.stageCount)
        free = Array((0..<Self.stageCount).reversed())
    }

    deinit {
        for i in 0..<Self.stageCount { buffers[i]?.deallocate() }
        buffers.deallocate()
    }

    /// The first write error, if any.
    var failure: String? { lock.withLock { error } }

    /// The memory of stage `index`.
    func buffer(_ index: Int) -> UnsafeMutableRawPointer { buffers[index]! }

    /// A free stage, waiting for one while all are queued.
    func take() -> Int {
        let index = lock.withLock {
            while free.isEmpty { lock.wait() }
            return free.removeLast()
        }
        if buffers[index] == nil { buffers[index] = .allocate(byteCount: Self.stageSize, alignment: 64) }
        return index
    }

    /// Queues the first `count` bytes of stage `index` for writing.
    func submit(_ index: Int, count: Int) {
        queue.async { [self] in
            if failure == nil { write(index, count: count) }
            lock.withLock {
                free.append(index)
                lock.signal()
            }
        }
    }

    /// Waits until every queued stage is written and every ``sync(then:)`` has run.
    func drain() {
        queue.sync {}
        durability.sync {}
    }

    /// Once every stage queued so far is written: `fsync`s the file, then runs `body`. Records
    /// the first failure of either; does nothing after one. The `fsync` waits on its own queue,
    /// so later stages go on being written meanwhile (an `fsync` covers at least what was
    /// written before it started).
    func sync(then body: @escaping @Sendable () throws -> Void) {
        queue.async { [self] in
            durability.async { [self] in
                guard failure == nil else { return }
                let reason: String?
                if fsync(descriptor) != 0 {
                    reason = String(cString: strerror(errno))
                } else {
                    do {
                        try body()
                        reason = nil
                    } catch {
                        reason = "\(error)"
                    }
                }
                if let reason { lock.withLock { self.error = self.error ?? reason } }
            }
        }
    }

    /// Writes `count` bytes of stage `index`; records the error on failure.
    private func write(_ index: Int, count: Int) {
        let base = UnsafeRawPointer(buffers[index]!)
        var offset = 0
        while offset < count {
            let written = Foundation.write(descriptor, base + offset, count - offset)
            guard written > 0 else {
                let reason = String(cString: strerror(errno))
                lock.withLock { error = error ?? reason }
                return
            }
            offset += written
        }
    }
}

// One writer, one thread.
@available(*, unavailable)
extension AtomicFileWriter: Sendable {}
