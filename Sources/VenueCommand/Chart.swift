/// A chart as a list of marks on a white page, in the page's units (pixels of a 1× image, y down),
/// drawn to SVG (`Chart+SVG.swift`) or to a PNG image (`Chart+PNG.swift`) from the same marks.
struct Chart: Sendable {
    /// A position on the page.
    struct Point: Sendable, Equatable {
        var x: Double
        var y: Double
    }

    /// An opaque colour, 8 bits per channel.
    struct Color: Sendable, Hashable {
        var red: UInt8
        var green: UInt8
        var blue: UInt8

        static let black = Color(0x000000)
        static let white = Color(0xffffff)

        /// The colour of these channels.
        init(red: UInt8, green: UInt8, blue: UInt8) {
            self.red = red
            self.green = green
            self.blue = blue
        }

        /// The colour `0xRRGGBB`.
        init(_ rgb: UInt32) {
            red = UInt8(truncatingIfNeeded: rgb >> 16)
            green = UInt8(truncatingIfNeeded: rgb >> 8)
            blue = UInt8(truncatingIfNeeded: rgb)
        }
    }

    /// Where a text's anchor point sits along it: its start, its middle or its end.
    enum TextAnchor: Sendable {
        case start, middle, end
    }

    /// One thing drawn. Marks are drawn in order, later ones over earlier ones.
    enum Mark: Sendable {
        /// A straight line `width` wide.
        case line(from: Point, to: Point, color: Color, width: Double)
        /// Joined straight lines through `points`, `width` wide.
        case polyline([Point], color: Color, width: Double)
        /// A filled disc.
        case dot(center: Point, radius: Double, color: Color)
        /// Black text whose baseline passes through `at`, placed there by `anchor`; `size` is the
        /// font size, and a vertical text reads upwards (turned a quarter left about `at`).
        case text(String, at: Point, size: Double, anchor: TextAnchor, vertical: Bool)
    }

    /// The page's width and height.
    var width: Double
    var height: Double
    /// The font size of texts drawn at the default size.
    var fontSize: Double
    /// What is drawn, in order.
    var marks: [Mark] = []
}
