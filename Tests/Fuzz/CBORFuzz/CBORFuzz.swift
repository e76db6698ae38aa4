// Fuzz entry points for the CBOR decoder.
//
// Built normally (`swift build`), this is a plain executable: it reads one input from each
// file named on the command line, or from standard input, runs the fuzz checks and prints a
// summary. Use it to reproduce a crash file without sanitizers.
//
// Built with `-DCBOR_FUZZ -sanitize=fuzzer,address` (see Tests/Fuzz/run-cbor-fuzz.sh), it is a
// libFuzzer binary. SwiftPM renames an executable's entry point to `CBORFuzz_main` and aliases
// `main` to it, which would hide libFuzzer's own `main`; so in that mode this file defines
// `CBORFuzz_main` to hand control to libFuzzer's driver (`LLVMFuzzerRunDriver`).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if CBOR_FUZZ

/// libFuzzer's per-input callback.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzCheck.run(Array(UnsafeBufferPointer(start: data, count: size)), summarize: false)
    return 0
}

/// libFuzzer's driver, which parses libFuzzer flags and runs the fuzzing loop.
@_extern(c, "LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The program entry point under SwiftPM's renaming.
@_cdecl("CBORFuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return llvmFuzzerRunDriver(&argc, &argv) { data, size in
        guard let data else { return 0 }  // libFuzzer passes a valid pointer even for empty inputs
        return fuzz(data, size)
    }
}

#else

/// Plain runner: checks the inputs given as files (or standard input) and prints summaries.
@main
struct CBORFuzzMain {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        var inputs: [(name: String, bytes: [UInt8])] = []
        if paths.isEmpty {
            inputs.append(("<stdin>", readAll(fileDescriptor: STDIN_FILENO)))
        } else {
            for path in paths {
                let descriptor = open(path, O_RDONLY)
                guard descriptor >= 0 else {
                    print("\(path): cannot open")
                    exit(2)
                }
                inputs.append((path, readAll(fileDescriptor: descriptor)))
                close(descriptor)
            }
        }
        for input in inputs {
            print("\(input.name) (\(input.bytes.count) bytes)")
            for line in FuzzCheck.run(input.bytes, summarize: true) {
                print("  \(line)")
            }
        }
    }

    /// Reads a file descriptor to its end.
    static func readAll(fileDescriptor: Int32) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            result.append(contentsOf: buffer[..<count])
        }
        return result
    }
}

#endif
