import Foundation
import Testing
import VenueKit

/// Paths and helpers the tests share.
enum TestSupport {
    /// The package root (three levels above this file).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bundled fixtures folder.
    static var fixtures: String { packageRoot.appendingPathComponent("Fixtures").path }

    /// `../shared/data` (or `$VENUE_SHARED_DATA`), when present.
    static var sharedData: String? {
        let path =
            ProcessInfo.processInfo.environment["VENUE_SHARED_DATA"]
            ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Whether tests that need the shared data must fail rather than skip without it (CI).
    static var sharedDataRequired: Bool {
        ProcessInfo.processInfo.environment["VENUE_REQUIRE_SHARED_DATA"] == "1"
    }

    /// A trait that skips a test when the shared data is missing, unless CI requires it
    /// (then the test runs and fails on the missing file).
    static var needsSharedData: ConditionTrait {
        .enabled(if: sharedData != nil || sharedDataRequired, "../shared/data is not beside the checkout")
    }

    /// The first executable on the PATH named one of `names` (folders in PATH order, then names in
    /// order), or `nil`.
    static func executableOnPath(_ names: String...) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            for name in names where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") { return "\(folder)/\(name)" }
        }
        return nil
    }

    /// Whether a Chromium is on the PATH.
    static var hasChromium: Bool { executableOnPath("chromium", "chromium-browser", "google-chrome") != nil }

    /// A trait that skips a test without Chromium, unless CI requires it (`VENUE_REQUIRE_CHROMIUM=1`).
    static var needsChromium: ConditionTrait {
        .enabled(if: hasChromium || ProcessInfo.processInfo.environment["VENUE_REQUIRE_CHROMIUM"] == "1", "chromium is not installed")
    }

    /// Runs a program (in `folder` when given) and returns its exit status, standard output and
    /// standard error; `environment` adds variables to this process's. Standard error goes through
    /// a file, so a chatty program cannot block on a full pipe while standard output is read.
    static func run(_ executable: String, _ arguments: [String], in folder: String? = nil, environment: [String: String] = [:]) throws
        -> (status: Int32, out: String, err: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        let out = Pipe()
        let errPath = NSTemporaryDirectory() + "venuekit-stderr-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// A path in the shared data folder (the default location when it is missing, so the test fails there).
    static func shared(_ relative: String) -> String {
        (sharedData ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path) + "/" + relative
    }

    /// Reads events from an in-memory text.
    static func read(_ text: String, _ format: EventFormat, badRows: BadRowPolicy = .strict, path: String = "test.csv") throws(InputError)
        -> EventLog
    {
        try EventReader(format: format, badRows: badRows).read(MappedFile(path: path, contents: Data(text.utf8)))
    }

    /// A fresh temporary folder. The caller removes it with `remove(_:)` in a `defer` right after:
    /// some tests write tens of megabytes, and a suite run makes about twenty of them.
    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "venuekit-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Removes a folder made by `temporaryFolder()` and everything in it.
    static func remove(_ folder: String) {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The built `venue` executable, beside the test bundle.
    static var venueExecutable: String {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            packageRoot.appendingPathComponent(".build/debug"),
        ].compactMap { $0 }
        for folder in candidates {
            let path = folder.appendingPathComponent("venue").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot.appendingPathComponent(".build/debug/venue").path
    }

    /// Runs `venue` with `arguments`; returns exit status, standard output and standard error.
    static func venue(_ arguments: [String], in folder: String? = nil, environment: [String: String] = [:]) throws -> (
        status: Int32, out: String, err: String
    ) {
        try run(venueExecutable, arguments, in: folder, environment: environment)
    }

    /// The JSON object a command printed (a summary line).
    static func jsonObject(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}
