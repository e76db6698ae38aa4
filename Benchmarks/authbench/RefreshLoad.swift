import Foundation

/// Durable refresh-token rotations driven by `wrk`, the load generator of `hello_rps`, so that `refresh_rps` /
/// `hello_rps` compares the server's work on both requests and not two clients' costs.
///
/// Every wrk thread keeps a pool of its connections' current refresh tokens: a request takes one token from the
/// pool, a 200 answer puts its successor back. Each token is thus presented exactly once, and a connection never
/// waits for a token (a thread has as many tokens as connections). wrk calls `request()` once more in its first
/// thread before connecting, to check the request's shape: that token is never sent, so the first thread gets one
/// chain more (`tokens` holds one more than the connections). A refused rotation loses its chain and counts as
/// non-2xx (the caller requires none).
enum RefreshLoad {
    /// The Lua script: `init` takes this thread's share of the tokens file (line i goes to thread i mod threads).
    static let script = #"""
        local counter = 0
        function setup(thread)
          thread:set("index", counter)
          counter = counter + 1
        end
        local pool = {}
        function init(args)
          local threads = tonumber(args[2])
          local line = 0
          for token in io.lines(args[1]) do
            if line % threads == index then pool[#pool + 1] = token end
            line = line + 1
          end
        end
        function request()
          local token = table.remove(pool) or "none"
          return wrk.format("POST", "/v1/token/refresh", {["Content-Type"] = "application/json"},
            '{"refresh_token":"' .. token .. '"}')
        end
        function response(status, headers, body)
          if status == 200 then
            local token = body:match('"refresh_token":"([^"]+)"')
            if token then pool[#pool + 1] = token end
          end
        end
        """#

    /// Runs `wrk` for `duration` seconds over `tokens.count - 1` connections, each chain starting at one of `tokens`.
    static func run(wrk: String, port: Int, tokens: [String], duration: Double, directory: String) throws -> (rps: Double, p99: Double, non2xx: Int) {
        let connections = tokens.count - 1
        let scriptPath = directory + "/refresh.lua", tokensPath = directory + "/refresh-tokens.txt"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        try (tokens.joined(separator: "\n") + "\n").write(toFile: tokensPath, atomically: true, encoding: .utf8)
        return try HTTPBenchmark.runWrk(
            wrk, port: port, path: "/v1/token/refresh", script: scriptPath, scriptArguments: [tokensPath, String(min(2, connections))],
            connections: connections, duration: duration)
    }

    /// CPU seconds (user + system) this process has used so far: the server's and its writer's, since wrk runs
    /// in a process of its own.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
