import Foundation
import VenueKit

extension Chart.Color {
    /// The colour as SVG writes it, `#rrggbb`.
    var svg: String { String(format: "#%02x%02x%02x", red, green, blue) }
}

extension Chart {
    /// The chart as an SVG document: one element per mark, texts in the viewer's sans-serif font.
    func svg() -> String {
        func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
        func xy(_ point: Point) -> String { "\(number(point.x)),\(number(point.y))" }
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(number(width))\" height=\"\(number(height))\" "
            + "font-family=\"sans-serif\" font-size=\"\(number(fontSize))\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"\(Color.white.svg)\"/>\n"
        for mark in marks {
            switch mark {
            case .line(let from, let to, let color, let width):
                out +=
                    "<line x1=\"\(number(from.x))\" y1=\"\(number(from.y))\" x2=\"\(number(to.x))\" y2=\"\(number(to.y))\" "
                    + "stroke=\"\(color.svg)\" stroke-width=\"\(number(width))\"/>\n"
            case .polyline(let points, let color, let width):
                out +=
                    "<polyline fill=\"none\" stroke=\"\(color.svg)\" stroke-width=\"\(number(width))\" "
                    + "points=\"\(points.map(xy).joined(separator: " "))\"/>\n"
            case .dot(let center, let radius, let color):
                out += "<circle cx=\"\(number(center.x))\" cy=\"\(number(center.y))\" r=\"\(number(radius))\" fill=\"\(color.svg)\"/>\n"
            case .text(let text, let at, let size, let anchor, let vertical):
                out += "<text x=\"\(number(at.x))\" y=\"\(number(at.y))\""
                if size != fontSize { out += " font-size=\"\(number(size))\"" }
                switch anchor {
                case .start: break
                case .middle: out += " text-anchor=\"middle\""
                case .end: out += " text-anchor=\"end\""
                }
                if vertical { out += " transform=\"rotate(-90 \(number(at.x)) \(number(at.y)))\"" }
                out += ">\(VenuePage.escape(text))</text>\n"
            }
        }
        return out + "</svg>\n"
    }
}
