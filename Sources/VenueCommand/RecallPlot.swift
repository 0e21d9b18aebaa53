import Foundation

/// A line chart of Recall@K against K, one line per method, written as SVG or PNG.
enum RecallPlot {
    /// What a plot path's extension asks for: PNG for `.png`; SVG for `.svg`, for no extension, and
    /// for any extension that is not another image or document format.
    enum Format: Sendable {
        case svg, png

        /// The format `path`'s extension names, or `nil` for another image or document format,
        /// whose name would not match SVG's contents.
        init?(path: String) {
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "png": self = .png
            case "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "pdf", "eps": return nil
            default: self = .svg
            }
        }
    }

    /// The chart of `series` (a method's name and its Recall@K at each of `cutoffs`, ascending).
    static func chart(title: String, cutoffs: [Int], series: [(String, [Double])]) -> Chart {
        let width = 640.0, height = 400.0, left = 60.0, right = 170.0, top = 40.0, bottom = 50.0
        let maxK = Double(cutoffs.last ?? 1)
        let maxY = max(0.05, (series.flatMap(\.1).max() ?? 0) * 1.1)
        func at(_ k: Int, _ value: Double) -> Chart.Point {
            Chart.Point(
                x: left + Double(k) / maxK * (width - left - right), y: height - bottom - value / maxY * (height - top - bottom))
        }
        let colors: [Chart.Color] = [.init(0xd62728), .init(0x1f77b4), .init(0x2ca02c), .init(0x9467bd), .init(0xff7f0e), .init(0x8c564b)]
        let grid = Chart.Color(0xdddddd)
        let origin = at(0, 0), plotRight = width - right
        var chart = Chart(width: width, height: height, fontSize: 12)
        chart.marks.append(.text(title, at: .init(x: left, y: 22), size: 14, anchor: .start, vertical: false))
        for step in 0...4 {
            let value = maxY * Double(step) / 4, y = at(0, value).y
            chart.marks.append(.line(from: .init(x: left, y: y), to: .init(x: plotRight, y: y), color: grid, width: 1))
            chart.marks.append(
                .text(String(format: "%.3f", value), at: .init(x: left - 8, y: y + 4), size: 12, anchor: .end, vertical: false))
        }
        chart.marks.append(.line(from: origin, to: .init(x: plotRight, y: origin.y), color: .black, width: 1))
        chart.marks.append(.line(from: origin, to: .init(x: left, y: top), color: .black, width: 1))
        for k in cutoffs {
            chart.marks.append(.text("\(k)", at: .init(x: at(k, 0).x, y: origin.y + 18), size: 12, anchor: .middle, vertical: false))
        }
        chart.marks.append(.text("K", at: .init(x: (left + plotRight) / 2, y: height - 12), size: 12, anchor: .middle, vertical: false))
        chart.marks.append(.text("Recall@K", at: .init(x: 16, y: (top + origin.y) / 2), size: 12, anchor: .middle, vertical: true))
        for (i, (name, values)) in series.enumerated() {
            let color = colors[i % colors.count]
            let points = zip(cutoffs, values).map { at($0, $1) }
            chart.marks.append(.polyline(points, color: color, width: 2))
            for point in points { chart.marks.append(.dot(center: point, radius: 3, color: color)) }
            let y = top + 20 * Double(i)
            chart.marks.append(.line(from: .init(x: plotRight + 15, y: y), to: .init(x: plotRight + 40, y: y), color: color, width: 2))
            chart.marks.append(.text(name, at: .init(x: plotRight + 46, y: y + 4), size: 12, anchor: .start, vertical: false))
        }
        return chart
    }

    /// The file `path` should hold: the chart as SVG, or as PNG when `path` ends in `.png`.
    static func file(for path: String, title: String, cutoffs: [Int], series: [(String, [Double])]) -> Data {
        let chart = chart(title: title, cutoffs: cutoffs, series: series)
        switch Format(path: path) {
        case .png: return chart.png()
        case .svg, nil: return Data(chart.svg().utf8)
        }
    }
}
