extension Argon2id {
    /// Argon2 cost parameters: memory in KiB (m), passes (t) and lanes (p).
    public struct Parameters: Sendable, Hashable, CustomStringConvertible {
        /// m = 64 MiB, t = 3, p = 4 (RFC 9106 §7.4's second recommended option).
        public static let `default` = Parameters(memoryKiB: 65_536, iterations: 3, parallelism: 4)

        /// Memory in KiB (m).
        public var memoryKiB: UInt32
        /// Passes over memory (t).
        public var iterations: UInt32
        /// Lanes, and threads (p).
        public var parallelism: UInt32

        /// Creates parameters; they are checked when used.
        public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
        }

        /// The PHC parameter text, `m=...,t=...,p=...`.
        public var description: String { "m=\(memoryKiB),t=\(iterations),p=\(parallelism)" }

        /// Within the verification maximums and libargon2's minimums.
        var isWithinMaximums: Bool {
            iterations >= 1 && iterations <= Argon2id.maximumIterations
                && parallelism >= 1 && parallelism <= Argon2id.maximumParallelism
                && memoryKiB >= 8 * parallelism && memoryKiB <= Argon2id.maximumMemoryKiB
        }

        func checkWithinLimits() throws(CryptoError) {
            guard isWithinMaximums else {
                throw CryptoError(.invalidInput, "Argon2id parameters \(self) are outside t 1...\(Argon2id.maximumIterations), "
                    + "p 1...\(Argon2id.maximumParallelism), m 8*p...\(Argon2id.maximumMemoryKiB)")
            }
        }
    }
}
