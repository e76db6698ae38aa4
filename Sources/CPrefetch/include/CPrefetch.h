#ifndef CPREFETCH_H
#define CPREFETCH_H

/// Asks the CPU to start loading the cache line holding `address` (a hint: no fault, no effect on memory, and
/// nothing at all on a compiler without the builtin). Swift has no prefetch of its own.
static inline void cprefetch_read(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 3);
#else
    (void)address;
#endif
}

#endif
