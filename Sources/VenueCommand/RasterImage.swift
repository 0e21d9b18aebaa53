/// An RGB image, 8 bits per channel, that lines, discs and rectangles are painted onto with
/// antialiased edges: a pixel is covered by the share of it a shape's edge leaves inside
/// (estimated from the distance of its centre to the edge), and blended with the paint by that.
struct RasterImage: Sendable {
    let width: Int
    let height: Int
    /// Red, green and blue of each pixel, row by row from the top.
    private(set) var pixels: [UInt8]

    /// An image of `width` × `height` pixels, all `background`.
    init(width: Int, height: Int, background: Chart.Color) {
        precondition(width > 0 && height > 0, "an image has pixels")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            pixels[i] = background.red
            pixels[i + 1] = background.green
            pixels[i + 2] = background.blue
        }
    }

    /// Paints `color` over the pixel at (`x`, `y`) by `coverage` (0 … 1); pixels outside are skipped.
    private mutating func blend(x: Int, y: Int, _ color: Chart.Color, coverage: Double) {
        guard x >= 0, x < width, y >= 0, y < height, coverage > 0 else { return }
        let i = (y * width + x) * 3, a = min(coverage, 1)
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 { UInt8((Double(old) * (1 - a) + Double(new) * a).rounded()) }
        pixels[i] = mix(pixels[i], color.red)
        pixels[i + 1] = mix(pixels[i + 1], color.green)
        pixels[i + 2] = mix(pixels[i + 2], color.blue)
    }

    /// Paints every pixel whose centre lies within `reach` of the box `x` … `x + w`, `y` … `y + h`
    /// by `coverage(centre)`. A box with a coordinate that is not finite paints nothing.
    private mutating func paint(
        around box: (x: Double, y: Double, w: Double, h: Double), reach: Double, _ color: Chart.Color,
        coverage: (Chart.Point) -> Double
    ) {
        guard [box.x, box.y, box.w, box.h, reach].allSatisfy(\.isFinite) else { return }
        // Clamped to the image before conversion, so a far-off box cannot overflow `Int`.
        func clamped(_ value: Double, upTo limit: Int) -> Int { Int(min(max(value, -1), Double(limit))) }
        let x0 = max(0, clamped((box.x - reach).rounded(.down), upTo: width))
        let x1 = clamped((box.x + box.w + reach).rounded(.up), upTo: width - 1)
        let y0 = max(0, clamped((box.y - reach).rounded(.down), upTo: height))
        let y1 = clamped((box.y + box.h + reach).rounded(.up), upTo: height - 1)
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 { blend(x: x, y: y, color, coverage: coverage(Chart.Point(x: Double(x) + 0.5, y: Double(y) + 0.5))) }
        }
    }

    /// Strokes the joined segments through `points`, `lineWidth` wide, with round joins and caps.
    ///
    /// Complexity: O(segments × pixels of their bounding box).
    mutating func stroke(_ points: [Chart.Point], lineWidth: Double, _ color: Chart.Color) {
        guard let first = points.first else { return }
        let xs = points.map(\.x), ys = points.map(\.y), half = lineWidth / 2
        let segments = points.count == 1 ? [(first, first)] : Array(zip(points, points.dropFirst()))
        paint(
            around: (xs.min()!, ys.min()!, xs.max()! - xs.min()!, ys.max()! - ys.min()!), reach: half + 1, color,
            coverage: { centre in
                let distance = segments.lazy.map { Self.distance(from: centre, toSegment: $0.0, $0.1) }.min()!
                return half + 0.5 - distance
            })
    }

    /// Fills the disc of `radius` about `center`.
    mutating func fillDisc(center: Chart.Point, radius: Double, _ color: Chart.Color) {
        paint(around: (center.x, center.y, 0, 0), reach: radius + 1, color) { centre in
            radius + 0.5 - ((centre.x - center.x) * (centre.x - center.x) + (centre.y - center.y) * (centre.y - center.y)).squareRoot()
        }
    }

    /// Fills the whole pixels of columns `x` ..< `x + w` and rows `y` ..< `y + h`.
    mutating func fillRect(x: Int, y: Int, w: Int, h: Int, _ color: Chart.Color) {
        let x0 = max(0, x), x1 = min(width, x + w), y0 = max(0, y), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            for column in x0..<x1 { blend(x: column, y: row, color, coverage: 1) }
        }
    }

    /// The distance from `p` to the segment `a` … `b`.
    private static func distance(from p: Chart.Point, toSegment a: Chart.Point, _ b: Chart.Point) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y, length2 = dx * dx + dy * dy
        let t = length2 == 0 ? 0 : min(1, max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2))
        let cx = a.x + t * dx - p.x, cy = a.y + t * dy - p.y
        return (cx * cx + cy * cy).squareRoot()
    }
}
