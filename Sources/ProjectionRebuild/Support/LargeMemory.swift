#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventLog

/// Raw memory for the big in-memory tables of rebuilds (hundreds of MB read at random).
///
/// Blocks of 4 MiB and more are mapped directly and, on Linux, marked for transparent huge pages: with 4 KiB pages
/// nearly every random access into such a table also misses the TLB. (Growing one copies it; tables grow by
/// doubling, so that copies each byte about twice.) Smaller blocks come from `malloc`.
enum LargeMemory {
    static let threshold = 4 << 20

    /// A block of `size` bytes (uninitialised below the threshold, zeroed above). `hugePages: false` for blocks
    /// written in many small sequential runs, where a huge page would be faulted in (zeroed) whole for a few bytes.
    static func allocate(_ size: Int, hugePages: Bool = true) -> UnsafeMutableRawPointer {
        guard size >= threshold else { return malloc(size)! }
        #if os(Linux)
        // Nothing reserved up front (swap accounting): only the pages written are committed, so a table may reserve
        // address space generously (``BytesMap/reserve(entries:bytes:)``).
        let block = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let block, block != MAP_FAILED else { fatalError("out of memory mapping \(size) bytes") }
        if hugePages { _ = madvise(block, size, MADV_HUGEPAGE) }
        return block
        #else
        return calloc(1, size)!
        #endif
    }

    /// Resizes a block from `allocate` (contents kept up to the smaller size).
    static func reallocate(_ block: UnsafeMutableRawPointer, from oldSize: Int, to newSize: Int) -> UnsafeMutableRawPointer {
        #if os(Linux)
        if oldSize >= threshold || newSize >= threshold {
            let fresh = allocate(newSize)
            fresh.copyMemory(from: block, byteCount: min(oldSize, newSize))
            deallocate(block, size: oldSize)
            return fresh
        }
        #endif
        return realloc(block, newSize)!
    }

    /// Frees a block from `allocate` of `size` bytes.
    static func deallocate(_ block: UnsafeMutableRawPointer, size: Int) {
        #if os(Linux)
        if size >= threshold {
            munmap(block, size)
            return
        }
        #endif
        free(block)
    }
}
