/// Literal syntax for building values in code, e.g.
/// `let key: CBORValue = [1: 2, 3: -7, -1: 1, -2: .byteString(x)]`.
/// Dictionary literals become `.map` with the entries in the order written.
extension CBORValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// An integer literal: `.unsigned` or `.negative`.
    public init(integerLiteral value: Int) {
        self.init(value)
    }

    /// A string literal: `.textString`.
    public init(stringLiteral value: String) {
        self = .textString(value)
    }

    /// A Boolean literal: `.bool`.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    /// A floating-point literal: `.float`.
    public init(floatLiteral value: Double) {
        self = .float(value)
    }

    /// An array literal: `.array`.
    public init(arrayLiteral elements: CBORValue...) {
        self = .array(elements)
    }

    /// A dictionary literal: `.map`, keeping the written order (duplicates are kept too).
    public init(dictionaryLiteral elements: (CBORValue, CBORValue)...) {
        self = .map(elements.map { (key: $0.0, value: $0.1) })
    }
}
