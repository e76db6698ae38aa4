import EventLog

/// 128 unused bytes, stored last in a class whose instances different threads write (a rebuild's tables, one set per
/// folding thread): objects allocated one after another share cache lines, and a reference count or a counter
/// written on one thread would otherwise take the line away from the core running another. With this as its last
/// field, an object's written fields are at least 128 bytes from the next object's (two 64-byte lines, so that the
/// adjacent-line prefetcher does not pair them either).
struct CacheLinePadding {
    private let bytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    init() {}
}
