#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic seconds, for measuring durations (never for event time, which comes from the injected ``Clock``).
public enum MonotonicClock {
    /// Seconds since an arbitrary fixed point.
    public static func seconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

/// CPU time, for telling work from waiting when the machine is shared.
public enum CPUClock {
    /// CPU seconds used by the calling thread.
    public static func threadSeconds() -> Double { seconds(CLOCK_THREAD_CPUTIME_ID) }

    /// CPU seconds used by the whole process (all threads, user and system).
    public static func processSeconds() -> Double { seconds(CLOCK_PROCESS_CPUTIME_ID) }

    private static func seconds(_ clock: clockid_t) -> Double {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
