#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and benchmarks: initdb in DIR, loopback only, trust authentication
# for the local user `authd`, fsync on (commit latency is part of what the tests and benchmarks measure).
#
#   Tools/postgres-cluster.sh start DIR [PORT]   # prints the URL: postgres://authd@127.0.0.1:PORT/authd
#   Tools/postgres-cluster.sh stop DIR
#
# PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` user (Debian's package creates it).
set -euo pipefail
BIN="${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}"
command="${1:?usage: postgres-cluster.sh start|stop DIR [PORT]}"
dir="${2:?usage: postgres-cluster.sh start|stop DIR [PORT]}"
port="${3:-55432}"

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
start)
    [ -x "$BIN/initdb" ] || { echo "postgres-cluster: $BIN/initdb not found (apt-get install postgresql-15)" >&2; exit 1; }
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    if [ ! -f "$dir/PG_VERSION" ]; then
        as_owner "$BIN/initdb" -D "$dir" -U authd --auth=trust --no-instructions >/dev/null
    fi
    as_owner "$BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=on" start >/dev/null
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$port" -U authd authd 2>/dev/null || true
    echo "postgres://authd@127.0.0.1:$port/authd"
    ;;
stop)
    as_owner "$BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    ;;
*)
    echo "usage: postgres-cluster.sh start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
