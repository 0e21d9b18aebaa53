import Foundation

/// Progress on standard error: a bar on a terminal, a line every 10% otherwise.
final class ProgressReporter {
    let total: Int
    let label: String
    let terminal = isatty(2) != 0
    var lastTenth = -1

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    func update(_ done: Int) {
        let fraction = Double(done) / Double(max(total, 1))
        if terminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            FileHandle.standardError.write(
                Data(
                    "\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total) \(label)"
                        .utf8))
        } else if Int(fraction * 10) > lastTenth {
            lastTenth = Int(fraction * 10)
            standardError("\(done)/\(total) \(label)")
        }
    }

    func finish() { if terminal { FileHandle.standardError.write(Data("\n".utf8)) } }
}
