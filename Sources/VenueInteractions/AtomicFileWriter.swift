import Foundation

/// Streams bytes to a temporary file beside `path` and renames it into place on ``commit()``,
/// so a reader never sees a half-written file under the final name (a crash leaves only the
/// hidden temporary). Not thread-safe: one writer, one thread.
///
/// Bytes are staged in 4 MiB page-aligned buffers that a background queue writes while the
/// caller fills the next one (up to four in flight), so a slow device does not stall the
/// caller. With `bypassingCache` (Linux) the stages go to the device directly (`O_DIRECT`): an
/// output of gigabytes written once then costs neither the kernel's copy into the page cache nor
/// the memory it would occupy. File systems that refuse direct I/O (tmpfs, some network mounts)
/// silently get ordinary writes.
public final class AtomicFileWriter {
    /// The destination.
    public let path: String
    private let temporary: String
    private let sink: StageSink
    /// The stage being filled, and how many bytes it holds.
    private var stage: Int
    private var staged = 0
    private var finished = false

    /// Opens a temporary file beside `path`, creating the parent folder when missing; with
    /// `bypassingCache`, for direct I/O where the platform and file system allow it.
    public init(path: String, bypassingCache: Bool = false) throws(InputError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .unreadable(file: path, reason: "cannot create its folder: \((error as NSError).localizedDescription)")
        }
        var descriptor: Int32 = -1
        var direct = false
        if bypassingCache, let flag = StageSink.directFlag {
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | flag, 0o644)
            direct = descriptor >= 0
        }
        if descriptor < 0 { descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        guard descriptor >= 0 else { throw .unreadable(file: path, reason: "cannot write: \(String(cString: strerror(errno)))") }
        sink = StageSink(descriptor: descriptor, direct: direct)
        stage = sink.take()
    }

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
            if staged == StageSink.stageSize {
                sink.submit(stage, count: staged)
                staged = 0
                stage = sink.take()
                if let reason = sink.failure { try fail(reason) }
            }
        }
    }

    /// Writes what is staged, waits for the device, closes and renames the file into place.
    public func commit() throws(InputError) {
        if staged > 0 { sink.submit(stage, count: staged) }
        staged = 0
        sink.drain()
        if let reason = sink.failure { try fail(reason) }
        finished = true
        guard close(sink.descriptor) == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .unreadable(file: path, reason: "cannot write: \(reason)")
        }
    }

    /// Closes and removes the temporary file; the destination is untouched.
    public func discard() {
        guard !finished else { return }
        finished = true
        sink.drain()
        close(sink.descriptor)
        unlink(temporary)
    }

    /// Discards the temporary file and throws `reason`.
    private func fail(_ reason: String) throws(InputError) -> Never {
        discard()
        throw .unreadable(file: path, reason: "cannot write: \(reason)")
    }
}

/// The stage buffers of an ``AtomicFileWriter`` and the serial queue that writes them.
///
/// The sharing rule: a buffer belongs to the writer from ``take()`` until ``submit(_:count:)``,
/// then to the queue until the queue puts it back on the free list. The free list, the failure
/// and the direct-I/O state are guarded by `lock` (whose condition wakes a writer waiting for a
/// free stage); the descriptor is written only from the queue until ``drain()`` returns.
private final class StageSink: @unchecked Sendable {
    static let stageSize = 4 << 20
    static let alignment = 4096
    static let stageCount = 4

    let descriptor: Int32
    private var direct: Bool
    private let buffers: [UnsafeMutableRawPointer]
    private var free: [Int]
    private var error: String?
    private let lock = NSCondition()
    private let queue = DispatchQueue(label: "VenueKit.AtomicFileWriter")

    init(descriptor: Int32, direct: Bool) {
        self.descriptor = descriptor
        self.direct = direct
        buffers = (0..<Self.stageCount).map { _ in .allocate(byteCount: Self.stageSize, alignment: Self.alignment) }
        free = Array(0..<Self.stageCount)
    }

    deinit { for buffer in buffers { buffer.deallocate() } }

    /// Linux's `O_DIRECT`, which Glibc's Swift module does not export (it is a `_GNU_SOURCE`
    /// macro); `nil` where direct I/O is not offered this way.
    static var directFlag: Int32? {
        #if os(Linux) && arch(x86_64)
            return 0o40000
        #elseif os(Linux) && arch(arm64)
            return 0o200000
        #else
            return nil
        #endif
    }

    /// The first write error, if any.
    var failure: String? { lock.withLock { error } }

    /// The memory of stage `index`.
    func buffer(_ index: Int) -> UnsafeMutableRawPointer { buffers[index] }

    /// A free stage, waiting for one while all are queued.
    func take() -> Int {
        lock.withLock {
            while free.isEmpty { lock.wait() }
            return free.removeLast()
        }
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

    /// Waits until every queued stage is written.
    func drain() { queue.sync {} }

    /// Direct I/O takes whole pages only, so a partial stage (the last one) goes out as its whole
    /// pages and then, direct I/O switched off, its remainder.
    private func write(_ index: Int, count: Int) {
        let base = UnsafeRawPointer(buffers[index])
        if lock.withLock({ direct }) {
            let whole = count / Self.alignment * Self.alignment
            guard writeAll(base, whole) else { return }
            if whole < count { leaveDirectIO() }
            _ = writeAll(base + whole, count - whole)
        } else {
            _ = writeAll(base, count)
        }
    }

    /// Writes `count` bytes from `base`; a file system that refuses direct I/O (`EINVAL`) gets
    /// them as an ordinary write. Records the error and returns `false` on failure.
    private func writeAll(_ base: UnsafeRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let written = Foundation.write(descriptor, base + offset, count - offset)
            if written < 0 && errno == EINVAL && lock.withLock({ direct }) {
                leaveDirectIO()
                continue
            }
            guard written > 0 else {
                let reason = String(cString: strerror(errno))
                lock.withLock { error = error ?? reason }
                return false
            }
            offset += written
        }
        return true
    }

    /// Switches the descriptor to ordinary, cached writes.
    private func leaveDirectIO() {
        guard let flag = Self.directFlag else { return }
        lock.withLock { direct = false }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~flag) }
    }
}
