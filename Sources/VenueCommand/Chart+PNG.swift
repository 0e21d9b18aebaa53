import Foundation

extension Chart {
    /// The chart painted at `scale` pixels per unit, as a PNG file.
    ///
    /// Texts use `BitmapFont`, each font pixel a square of about `size` ÷ 6 image pixels at scale 2
    /// (a 12-unit text is 14 pixels from its top to the baseline), so they read at the size an SVG
    /// viewer draws them.
    func png(scale: Int = 2) -> Data {
        PNGEncoder.encode(raster(scale: scale))
    }

    /// The chart painted at `scale` pixels per unit.
    func raster(scale: Int = 2) -> RasterImage {
        let s = Double(scale)
        func scaled(_ point: Point) -> Point { Point(x: point.x * s, y: point.y * s) }
        var image = RasterImage(width: Int((width * s).rounded()), height: Int((height * s).rounded()), background: .white)
        for mark in marks {
            switch mark {
            case .line(let from, let to, let color, let width):
                image.stroke([scaled(from), scaled(to)], lineWidth: width * s, color)
            case .polyline(let points, let color, let width):
                image.stroke(points.map(scaled), lineWidth: width * s, color)
            case .dot(let center, let radius, let color):
                image.fillDisc(center: scaled(center), radius: radius * s, color)
            case .text(let text, let at, let size, let anchor, let vertical):
                draw(text, at: scaled(at), pixel: max(1, Int((size * s / 12).rounded())), anchor: anchor, vertical: vertical, on: &image)
            }
        }
        return image
    }

    /// Draws `text` in black with its baseline through `at`, each font pixel `pixel` image pixels
    /// square; nothing when `at` is not finite or is far off the image.
    private func draw(_ text: String, at: Point, pixel: Int, anchor: TextAnchor, vertical: Bool, on image: inout RasterImage) {
        let length = BitmapFont.width(of: text) * pixel
        let reach = Double(max(image.width, image.height) + length)
        guard at.x.isFinite, at.y.isFinite, abs(at.x) <= reach, abs(at.y) <= reach else { return }
        let lead: Int
        switch anchor {
        case .start: lead = 0
        case .middle: lead = length / 2
        case .end: lead = length
        }
        // Along the text, u grows from its start; across it, v grows from the glyphs' top row down.
        let baseX = Int(at.x.rounded()), baseY = Int(at.y.rounded()), top = BitmapFont.ascent * pixel
        for (index, character) in text.enumerated() {
            for (row, bits) in BitmapFont.glyph(character).enumerated() where bits != 0 {
                for column in 0..<BitmapFont.columns where bits >> (BitmapFont.columns - 1 - column) & 1 == 1 {
                    let u = (index * BitmapFont.advance + column) * pixel - lead, v = row * pixel
                    if vertical {
                        image.fillRect(x: baseX - top + v, y: baseY - u - pixel, w: pixel, h: pixel, .black)
                    } else {
                        image.fillRect(x: baseX + u, y: baseY - top + v, w: pixel, h: pixel, .black)
                    }
                }
            }
        }
    }
}
