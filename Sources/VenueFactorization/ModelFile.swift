import Foundation
import VenueInteractions
import VenueLinearAlgebra

/// Why a model file could not be read.
public enum ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file (or its folder) could not be written.
    case unwritable(file: String, reason: String)
    /// The file does not start with the VenueKit model magic.
    case notAModel(file: String)
    /// The file is a model of a version this build does not read.
    case unsupportedVersion(file: String, found: UInt32, supported: UInt32)
    /// The file ends before its contents do.
    case truncated(file: String, expectedBytes: Int, foundBytes: Int)
    /// The checksum or a section does not match.
    case corrupt(file: String, reason: String)

    /// The file, then what is wrong with it.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read model: \(reason)"
        case .unwritable(let file, let reason): "\(file): cannot write model: \(reason)"
        case .notAModel(let file): "\(file): not a VenueKit model file (bad magic)"
        case .unsupportedVersion(let file, let found, let supported):
            "\(file): model file version \(found), this build reads version \(supported)"
        case .truncated(let file, let expected, let found):
            "\(file): model file is truncated: expected \(expected) bytes, found \(found)"
        case .corrupt(let file, let reason): "\(file): model file is corrupt: \(reason)"
        }
    }
}

/// The binary model format, version 1 (little-endian):
///
/// ```
/// magic   "VENUEALS"                       8 bytes
/// version UInt32 (1), section count UInt32
/// total   UInt64: bytes of the whole file
/// sections, each: tag (4 ASCII bytes), length UInt64, bytes
///   CONF  hyperparameters and weighting, `key=value` lines (UTF-8); not the thread count,
///         which does not change the factors, so any thread count writes the same file
///   SIDS  shopper ids: count UInt64, then per id: length UInt32 + UTF-8 bytes
///   BIDS  brand ids, the same
///   XFAC  shopper factors: rows UInt64, columns UInt64, Float32 row-major
///   YFAC  brand factors, the same
///   X…    extensions: tag "E" + 3 bytes, then name length UInt32, name, data
/// checksum UInt64: of every byte before it (64-bit multiply–rotate over words)
/// ```
///
/// Written atomically (temporary file, then rename), streamed; read mapped, checked whole (size,
/// magic, version, checksum) before any section is parsed.
public enum ModelFile {
    /// The version this build writes and reads.
    public static let version: UInt32 = 1
    static let magic = Array("VENUEALS".utf8)

    /// Writes `model` to `path` atomically. The ids, configuration and extensions are encoded in
    /// memory; the factor matrices go to the file straight from their storage, so writing holds
    /// no copy of them. O(file size).
    public static func write(_ model: FactorModel, to path: String) throws(ModelFileError) {
        var sections: [Section] = [
            .bytes("CONF", Array(configurationText(model).utf8)), .bytes("SIDS", ByteWriter.ids(model.shopperIDs)),
            .bytes("BIDS", ByteWriter.ids(model.brandIDs)), .matrix("XFAC", model.shopperFactors), .matrix("YFAC", model.brandFactors),
        ]
        for name in model.extensions.keys.sorted() {
            var extensionData = ByteWriter()
            extensionData.u32(UInt32(name.utf8.count))
            extensionData.bytes(Array(name.utf8))
            extensionData.bytes(model.extensions[name]!)
            sections.append(.bytes("EXTN", extensionData.data))
        }
        var header = ByteWriter()
        header.bytes(magic)
        header.u32(version)
        header.u32(UInt32(sections.count))
        // The whole file: this header with its total, each section's tag, length and bytes, and
        // the checksum.
        let total = header.data.count + 8 + sections.reduce(0) { $0 + 12 + $1.count } + 8
        header.u64(UInt64(total))
        do {
            let writer = try AtomicFileWriter(path: path)
            var checksum = WordChecksum(count: total - 8)
            func write(_ raw: UnsafeRawBufferPointer) throws(InputError) {
                checksum.add(raw)
                try writer.write(raw)
            }
            func write(_ bytes: [UInt8]) throws(InputError) {
                try bytes.withUnsafeBytes { raw in Result { () throws(InputError) in try write(raw) } }.get()
            }
            try write(header.data)
            for section in sections {
                var head = ByteWriter()
                head.bytes(Array(section.tag.utf8))
                head.u64(UInt64(section.count))
                switch section {
                case .bytes(_, let payload):
                    try write(head.data)
                    try write(payload)
                case .matrix(_, let matrix):
                    head.u64(UInt64(matrix.rows))
                    head.u64(UInt64(matrix.columns))
                    try write(head.data)
                    try matrix.withUnsafeBufferPointer { values in
                        Result { () throws(InputError) in try write(UnsafeRawBufferPointer(values)) }
                    }.get()
                }
            }
            var trailer = ByteWriter()
            trailer.u64(checksum.value)
            try writer.write(trailer.data)
            try writer.commit()
        } catch {
            guard case .unwritable(_, let reason) = error else { throw .unwritable(file: path, reason: error.description) }
            throw .unwritable(file: path, reason: reason)
        }
    }

    /// A section of the file to write: bytes encoded in memory, or a factor matrix (its rows and
    /// columns, then its values) written from its storage.
    private enum Section {
        case bytes(String, [UInt8])
        case matrix(String, Matrix)

        /// The 4-byte tag.
        var tag: String {
            switch self {
            case .bytes(let tag, _), .matrix(let tag, _): tag
            }
        }

        /// The section's length in bytes, after its tag and length.
        var count: Int {
            switch self {
            case .bytes(_, let payload): payload.count
            case .matrix(_, let matrix): 16 + matrix.rows * matrix.columns * MemoryLayout<Float>.size
            }
        }
    }

    /// Reads a model, checking size, magic, version and checksum first. Its configuration has
    /// the default thread count (the file does not store one). A file is mapped, not read into a
    /// buffer, and parsed in place: loading holds the file's pages and one copy of the factors
    /// (a pipe is read into memory first).
    public static func read(path: String) throws(ModelFileError) -> FactorModel {
        try read(path: path, keepingShoppers: nil).model
    }

    /// Part of a model file: some of its shoppers, with every brand.
    public struct Part: Sendable {
        /// The kept shoppers' ids and factors, in file order, with every brand and the settings
        /// and extensions of the file.
        public let model: FactorModel
        /// Each kept shopper's row in the whole model, ascending.
        public let rows: [Int32]
        /// The shoppers of the whole model.
        public let shoppers: Int
    }

    /// Reads the shoppers of a model file that `isKept` keeps (given each id's UTF-8 bytes), with
    /// every brand, checking the whole file as ``read(path:)`` does: a shard of a run holds its
    /// own shoppers' factors rather than everyone's. O(file size) to check; holds the file's
    /// pages and a copy of the kept factors.
    public static func read(path: String, keepingShoppers isKept: @escaping (UnsafeRawBufferPointer) -> Bool) throws(ModelFileError) -> Part
    {
        try read(path: path, keepingShoppers: .some(isKept))
    }

    /// File `path`, mapped; a file that cannot be is ``ModelFileError/unreadable(file:reason:)``.
    private static func mapped(_ path: String) throws(ModelFileError) -> MappedFile {
        do {
            return try MappedFile(path: path)
        } catch {
            guard case .unreadable(_, let reason) = error else { throw .unreadable(file: path, reason: error.description) }
            throw .unreadable(file: path, reason: reason)
        }
    }

    private static func read(path: String, keepingShoppers isKept: ((UnsafeRawBufferPointer) -> Bool)?) throws(ModelFileError) -> Part {
        let file = try mapped(path)
        let parsed = file.data.withUnsafeBytes { raw in
            Result { () throws(ModelFileError) in try read(raw: raw, path: path, keepingShoppers: isKept) }
        }
        return try parsed.get()
    }

    /// Parses a model from bytes (`path` names it in errors).
    public static func read(_ bytes: [UInt8], path: String) throws(ModelFileError) -> FactorModel {
        try bytes.withUnsafeBytes { raw in Result { () throws(ModelFileError) in try read(raw: raw, path: path, keepingShoppers: nil) } }
            .get().model
    }

    /// Parses a model from `bytes` in place: the ids are interned and the factors copied out of
    /// them, and only the small settings and extension sections are copied besides. With
    /// `isKept`, only the shoppers it keeps.
    static func read(
        raw bytes: UnsafeRawBufferPointer, path: String, keepingShoppers isKept: ((UnsafeRawBufferPointer) -> Bool)?
    ) throws(ModelFileError) -> Part {
        let (sections, stored, total) = try header(bytes, path: path)
        var reader = ByteReader(bytes: bytes, position: 8 + 4 + 4 + 8)
        guard stored == WordChecksum.of(UnsafeRawBufferPointer(rebasing: bytes[0..<total - 8])) else {
            throw .corrupt(file: path, reason: "checksum mismatch")
        }

        var configuration: [String: String] = [:]
        var shopperIDs: (map: IdentifierMap, rows: [Int32]?, count: Int)?
        var brandIDs: IdentifierMap?
        // Read after the loop: the kept rows depend on the ids, in whichever order they come.
        var shopperSection: ByteReader?
        var brandFactors: Matrix?
        var extensions: [String: [UInt8]] = [:]
        for _ in 0..<sections {
            let tag = String(decoding: try reader.take(4, path), as: UTF8.self)
            let length = try reader.count(path, of: "section \(tag)")
            var section = ByteReader(bytes: try reader.take(length, path), position: 0)
            switch tag {
            case "CONF":
                for line in String(decoding: section.bytes, as: UTF8.self).split(separator: "\n") {
                    let parts = line.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { configuration[String(parts[0])] = String(parts[1]) }
                }
            case "SIDS": shopperIDs = try section.ids(path, keeping: isKept)
            case "BIDS": brandIDs = try section.ids(path, keeping: nil).map
            case "XFAC": shopperSection = section
            case "YFAC": brandFactors = try section.matrix(path, of: "brand")
            case "EXTN":
                let nameLength = Int(try section.u32(path))
                let name = String(decoding: try section.take(nameLength, path), as: UTF8.self)
                extensions[name] = Array(section.rest)
            default: break  // unknown sections from newer writers are skipped
            }
        }
        guard let shopperIDs, let brandIDs, var shopperSection, let brandFactors else {
            throw .corrupt(file: path, reason: "a required section (SIDS, BIDS, XFAC, YFAC) is missing")
        }
        let (shopperFactors, shopperRows) = try shopperSection.matrix(path, of: "shopper", rows: shopperIDs.rows)
        guard shopperRows == shopperIDs.count, brandFactors.rows == brandIDs.count, shopperFactors.columns == brandFactors.columns
        else { throw .corrupt(file: path, reason: "factor and id counts disagree") }
        let (als, weighting) = parseConfiguration(configuration)
        guard als.factors == brandFactors.columns else {
            throw .corrupt(file: path, reason: "CONF says \(als.factors) factors, the factor matrices have \(brandFactors.columns)")
        }
        let problems = als.problems + weighting.problems
        guard problems.isEmpty else { throw .corrupt(file: path, reason: "CONF: " + problems.joined(separator: "; ")) }
        let model = FactorModel(
            shopperIDs: shopperIDs.map, brandIDs: brandIDs, shopperFactors: shopperFactors, brandFactors: brandFactors,
            configuration: als, weighting: weighting, extensions: extensions)
        return Part(model: model, rows: shopperIDs.rows ?? (0..<Int32(shopperIDs.count)).map { $0 }, shoppers: shopperIDs.count)
    }

    static func configurationText(_ model: FactorModel) -> String {
        let c = model.configuration
        let w = model.weighting
        var lines = [
            "factors=\(model.factors)", "iterations=\(c.iterations)", "regularization=\(c.regularization)",
            "regularization_exponent=\(c.regularizationExponent)", "solver=\(c.solver.rawValue)", "cg_steps=\(c.cgSteps)",
            "seed=\(c.seed)",
            "weight.click=\(w.click)", "weight.favorite=\(w.favorite)", "weight.follow=\(w.follow)", "weight.cart=\(w.cart)",
            "weight.purchase=\(w.purchase)", "weight.weight=\(w.weight)",
        ]
        switch c.confidence {
        case .linear(let alpha): lines += ["confidence=linear", "alpha=\(alpha)"]
        case .logarithmic(let alpha, let epsilon): lines += ["confidence=log", "alpha=\(alpha)", "epsilon=\(epsilon)"]
        }
        if let h = w.halfLifeDays { lines.append("half_life_days=\(h)") }
        if let r = w.reference { lines.append("reference=\(r)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func parseConfiguration(_ values: [String: String]) -> (ALSConfiguration, EventWeighting) {
        var c = ALSConfiguration()
        var w = EventWeighting()
        func float(_ key: String) -> Float? { values[key].flatMap(Float.init) }
        if let v = values["factors"].flatMap(Int.init) { c.factors = v }
        if let v = values["iterations"].flatMap(Int.init) { c.iterations = v }
        if let v = float("regularization") { c.regularization = v }
        if let v = float("regularization_exponent") { c.regularizationExponent = v }
        if let v = values["solver"].flatMap(ALSConfiguration.Solver.init(rawValue:)) { c.solver = v }
        if let v = values["cg_steps"].flatMap(Int.init) { c.cgSteps = v }
        if let v = values["seed"].flatMap(UInt64.init) { c.seed = v }
        let alpha = float("alpha") ?? 10
        c.confidence = values["confidence"] == "log" ? .logarithmic(alpha: alpha, epsilon: float("epsilon") ?? 1) : .linear(alpha: alpha)
        if let v = float("weight.click") { w.click = v }
        if let v = float("weight.favorite") { w.favorite = v }
        if let v = float("weight.follow") { w.follow = v }
        if let v = float("weight.cart") { w.cart = v }
        if let v = float("weight.purchase") { w.purchase = v }
        if let v = float("weight.weight") { w.weight = v }
        w.halfLifeDays = values["half_life_days"].flatMap(Double.init)
        w.reference = values["reference"].flatMap(Int64.init)
        return (c, w)
    }

    /// The header of a model file's `bytes` checked (magic, version, the size it claims), with
    /// its section count, the checksum stored at the end and the size. O(1).
    private static func header(_ bytes: UnsafeRawBufferPointer, path: String) throws(ModelFileError) -> (
        sections: Int, checksum: UInt64, total: Int
    ) {
        let header = 8 + 4 + 4 + 8
        guard bytes.count >= 8, magic.elementsEqual(bytes.prefix(8)) else {
            if bytes.count < 8 && magic.starts(with: bytes) {
                throw .truncated(file: path, expectedBytes: header + 8, foundBytes: bytes.count)
            }
            throw .notAModel(file: path)
        }
        guard bytes.count >= header + 8 else { throw .truncated(file: path, expectedBytes: header + 8, foundBytes: bytes.count) }
        var reader = ByteReader(bytes: bytes, position: 8)
        let version = try reader.u32(path)
        guard version == Self.version else { throw .unsupportedVersion(file: path, found: version, supported: Self.version) }
        let sections = Int(try reader.u32(path))
        let total = try reader.count(path, of: "the file")
        guard total >= header + 8 else { throw .corrupt(file: path, reason: "the header claims \(total) bytes") }
        guard bytes.count >= total else { throw .truncated(file: path, expectedBytes: total, foundBytes: bytes.count) }
        guard bytes.count == total else { throw .corrupt(file: path, reason: "\(bytes.count - total) bytes after the end") }
        var stored = ByteReader(bytes: bytes, position: total - 8)
        return (sections, try stored.u64(path), total)
    }

    /// The checksum model file `path` ends with, which ``read(path:)`` checks its bytes against:
    /// an identity of the model (the same model is written as the same bytes), read without
    /// reading the model. Checks the magic, version and size; not the bytes (``read(path:)``
    /// does). O(1) pages of the file.
    public static func storedChecksum(path: String) throws(ModelFileError) -> UInt64 {
        let file = try mapped(path)
        let read = file.data.withUnsafeBytes { bytes in
            Result { () throws(ModelFileError) in try header(bytes, path: path).checksum }
        }
        return try read.get()
    }
}

/// Little-endian fields appended to a byte array.
struct ByteWriter {
    var data: [UInt8] = []

    mutating func bytes(_ b: [UInt8]) { data.append(contentsOf: b) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }

    /// The encoding of `map`: its count, then each id's length and UTF-8 bytes, in index order.
    /// O(total length of the ids), with no allocation per id.
    static func ids(_ map: IdentifierMap) -> [UInt8] {
        var writer = ByteWriter()
        writer.data.reserveCapacity(8 + 4 * map.count + map.utf8Count)
        writer.u64(UInt64(map.count))
        for i in 0..<map.count {
            map.withUTF8(at: i) { id in
                writer.u32(UInt32(id.count))
                writer.data.append(contentsOf: id)
            }
        }
        return writer.data
    }
}

/// Reads little-endian fields from bytes it does not own (a mapped file or an array the caller
/// keeps alive for the reader's life), in order.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    /// The next `count` bytes (a view into ``bytes``, not a copy).
    mutating func take(_ count: Int, _ path: String) throws(ModelFileError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= bytes.count - position else {
            throw .corrupt(file: path, reason: "a section claims \(count) bytes, \(bytes.count - position) remain")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
    }

    /// The bytes after ``position`` (a view, not a copy).
    var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[position...]) }

    mutating func u32(_ path: String) throws(ModelFileError) -> UInt32 {
        UInt32(littleEndian: try take(4, path).loadUnaligned(as: UInt32.self))
    }

    mutating func u64(_ path: String) throws(ModelFileError) -> UInt64 {
        UInt64(littleEndian: try take(8, path).loadUnaligned(as: UInt64.self))
    }

    /// A UInt64 size or count that must fit an `Int`; `what` names it in the error.
    mutating func count(_ path: String, of what: String) throws(ModelFileError) -> Int {
        let value = try u64(path)
        guard let count = Int(exactly: value) else { throw .corrupt(file: path, reason: "implausible size \(value) of \(what)") }
        return count
    }

    /// An id list: the map of the ids `isKept` keeps (all of them when `nil`), their positions in
    /// the list (`nil` when all are kept) and the list's length. A repeated id is an error.
    mutating func ids(_ path: String, keeping isKept: ((UnsafeRawBufferPointer) -> Bool)?) throws(ModelFileError) -> (
        map: IdentifierMap, rows: [Int32]?, count: Int
    ) {
        let count = try u64(path)
        guard count <= UInt64(bytes.count), count <= UInt64(Int32.max) else {
            throw .corrupt(file: path, reason: "implausible id count \(count)")
        }
        var map = IdentifierMap()
        var rows: [Int32]? = isKept == nil ? nil : []
        for row in 0..<Int32(count) {
            let length = Int(try u32(path))
            let id = try take(length, path)
            if let isKept {
                guard isKept(id) else { continue }
                rows?.append(row)
            }
            let before = map.count
            _ = map.intern(id)
            guard map.count == before + 1 else { throw .corrupt(file: path, reason: "duplicate id") }
        }
        return (map, rows, Int(count))
    }

    /// A factor matrix (rows, columns, row-major Float32), every value finite; `what` is whose rows they are.
    mutating func matrix(_ path: String, of what: String) throws(ModelFileError) -> Matrix {
        try matrix(path, of: what, rows: nil).matrix
    }

    /// Rows `kept` (ascending; all of them when `nil`) of a factor matrix, every value finite,
    /// and how many rows the file holds.
    mutating func matrix(_ path: String, of what: String, rows kept: [Int32]?) throws(ModelFileError) -> (matrix: Matrix, rows: Int) {
        let rows = try u64(path)
        let columns = try u64(path)
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, count <= UInt64(bytes.count / 4), rows <= UInt64(bytes.count), columns <= UInt64(bytes.count) else {
            throw .corrupt(file: path, reason: "implausible \(what) factors \(rows)×\(columns)")
        }
        let raw = try take(Int(count) * 4, path)
        let (width, keptRows) = (Int(columns), kept?.count ?? Int(rows))
        guard kept?.last.map({ Int($0) < Int(rows) }) ?? true else { return (Matrix(rows: 0, columns: width), Int(rows)) }
        let storage = [Float](unsafeUninitializedCapacity: keptRows * width) { buffer, initialized in
            let to = UnsafeMutableRawBufferPointer(buffer)
            if let kept {
                let rowBytes = 4 * width
                for (i, row) in kept.enumerated() {
                    to.baseAddress!.advanced(by: i * rowBytes).copyMemory(
                        from: raw.baseAddress!.advanced(by: Int(row) * rowBytes), byteCount: rowBytes)
                }
            } else {
                to.copyMemory(from: raw)
            }
            initialized = keptRows * width
        }
        if let bad = storage.firstIndex(where: { !$0.isFinite }) {
            let row = kept.map { Int($0[bad / width]) } ?? bad / width
            throw .corrupt(file: path, reason: "\(what) \(row), factor \(bad % width), is \(storage[bad])")
        }
        return (Matrix(rows: keptRows, columns: width, storage: storage), Int(rows))
    }
}
