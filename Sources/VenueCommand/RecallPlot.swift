import VenueKit

/// A small SVG line chart of Recall@K against K, one line per method.
enum RecallPlot {
    /// Extensions of other image and document formats: a plot path ending in one is refused, since
    /// the file would hold SVG under another format's name.
    static let otherFormats: Set<String> = ["png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "pdf", "eps"]

    static func svg(title: String, cutoffs: [Int], series: [(String, [Double])]) -> String {
        let width = 640.0, height = 400.0, left = 60.0, right = 170.0, top = 40.0, bottom = 50.0
        let maxK = Double(cutoffs.last ?? 1)
        let maxY = max(0.05, (series.flatMap(\.1).max() ?? 0) * 1.1)
        func x(_ k: Int) -> Double { left + Double(k) / maxK * (width - left - right) }
        func y(_ v: Double) -> Double { height - bottom - v / maxY * (height - top - bottom) }
        let colors = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(left)\" y=\"22\" font-size=\"14\">\(VenuePage.escape(title))</text>\n"
        out += "<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(width - right)\" y2=\"\(y(0))\" stroke=\"black\"/>\n"
        out += "<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(left)\" y2=\"\(top)\" stroke=\"black\"/>\n"
        for k in cutoffs {
            out += "<text x=\"\(x(k))\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\">\(k)</text>\n"
        }
        for step in 0...4 {
            let v = maxY * Double(step) / 4
            out += "<text x=\"\(left - 8)\" y=\"\(y(v) + 4)\" text-anchor=\"end\">\(String(format: "%.3f", v))</text>\n"
            out += "<line x1=\"\(left)\" y1=\"\(y(v))\" x2=\"\(width - right)\" y2=\"\(y(v))\" stroke=\"#ddd\"/>\n"
        }
        out += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">K</text>\n"
        out +=
            "<text x=\"16\" y=\"\((top + height - bottom) / 2)\" transform=\"rotate(-90 16 \((top + height - bottom) / 2))\" text-anchor=\"middle\">Recall@K</text>\n"
        for (i, (name, values)) in series.enumerated() {
            let color = colors[i % colors.count]
            let points = zip(cutoffs, values).map { "\(x($0)),\(y($1))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            for (k, v) in zip(cutoffs, values) { out += "<circle cx=\"\(x(k))\" cy=\"\(y(v))\" r=\"3\" fill=\"\(color)\"/>\n" }
            let ly = top + 20 * Double(i)
            out +=
                "<line x1=\"\(width - right + 15)\" y1=\"\(ly)\" x2=\"\(width - right + 40)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            out += "<text x=\"\(width - right + 46)\" y=\"\(ly + 4)\">\(VenuePage.escape(name))</text>\n"
        }
        return out + "</svg>\n"
    }
}
