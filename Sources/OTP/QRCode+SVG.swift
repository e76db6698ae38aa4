extension QRCode {
    /// A self-contained SVG image of the symbol with its 4-module quiet zone: a white background `<rect>`
    /// and one black `<path>` of horizontal runs, in a viewBox measured in modules, so it scales without
    /// blurring. `moduleSize` sets the default width and height (pixels per module); it must be positive.
    public func svg(moduleSize: Int = 4) -> String {
        precondition(moduleSize > 0, "moduleSize must be positive")
        let extent = size + 2 * Self.quietZone
        let pixels = extent * moduleSize
        var path = ""
        for row in 0..<size {
            var column = 0
            while column < size {
                guard isDark(row: row, column: column) else {
                    column += 1
                    continue
                }
                let start = column
                while column < size, isDark(row: row, column: column) { column += 1 }
                let length = column - start
                path += "M\(start + Self.quietZone) \(row + Self.quietZone)h\(length)v1h-\(length)z"
            }
        }
        return ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(pixels)" height="\##(pixels)" "##
            + ##"viewBox="0 0 \##(extent) \##(extent)" shape-rendering="crispEdges">"##
            + ##"<rect width="\##(extent)" height="\##(extent)" fill="#fff"/>"##
            + ##"<path fill="#000" d="\##(path)"/></svg>"##
    }
}
