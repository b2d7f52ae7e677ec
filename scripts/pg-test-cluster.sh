#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests (CI and local).
#
#   scripts/pg-test-cluster.sh start DIR [PORT]   -> prints DATABASE_URL on stdout
#   scripts/pg-test-cluster.sh stop DIR
#
# The cluster lives entirely in DIR (data in DIR/data, server log in DIR/log,
# unix socket in DIR/sock), listens only on 127.0.0.1:PORT (default 54329),
# trusts every local connection and runs with fsync off: never use it for
# anything but tests. If no PostgreSQL server is installed it is installed
# from Debian packages (root only). When run as root, the cluster is owned by
# and run as the `postgres` system user, since initdb refuses to run as root.
# Everything except the DATABASE_URL line goes to stderr.
set -euo pipefail

DEFAULT_PORT=54329
DB_NAME=carrierdesk
PG_SUPERUSER=postgres
RUN_AS_USER=postgres

log() { printf 'pg-test-cluster: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: pg-test-cluster.sh start DIR [PORT]   create/reuse a throwaway cluster in DIR, print DATABASE_URL
       pg-test-cluster.sh stop DIR           stop the cluster in DIR (no error if not running)
EOF
    exit 2
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as the user that owns the cluster (postgres when we are root).
as_owner() {
    if ! is_root; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$RUN_AS_USER" -- "$@"
    else
        local cmd
        cmd=$(printf '%q ' "$@")
        su "$RUN_AS_USER" -s /bin/sh -c "$cmd"
    fi
}

# Print the directory holding initdb, pg_ctl and postgres, or return 1.
find_pg_bindir() {
    local initdb_path dir
    if initdb_path=$(command -v initdb 2>/dev/null) && command -v pg_ctl >/dev/null 2>&1; then
        # pg_ctl/initdb locate `postgres` next to their real (symlink-resolved) path.
        dir=$(dirname "$(readlink -f "$initdb_path")")
        if [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            printf '%s\n' "$dir"
            return 0
        fi
    fi
    dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
        printf '%s\n' "$dir"
        return 0
    fi
    return 1
}

ensure_pg_bindir() {
    if PG_BIN=$(find_pg_bindir); then
        return 0
    fi
    if ! is_root; then
        die "no PostgreSQL server binaries found (initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin), and not running as root so cannot install them; install the 'postgresql' Debian package (sudo apt-get install postgresql) or put initdb/pg_ctl on PATH"
    fi
    log "no PostgreSQL server found; installing the Debian 'postgresql' package"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    PG_BIN=$(find_pg_bindir) || die "installed 'postgresql' but still cannot find initdb/pg_ctl/postgres"
}

# psql client: prefer the one next to the server, else whatever is on PATH.
psql_bin() {
    if [ -x "$PG_BIN/psql" ]; then
        printf '%s\n' "$PG_BIN/psql"
    elif command -v psql >/dev/null 2>&1; then
        command -v psql
    else
        die "psql not found"
    fi
}

ensure_run_user() {
    is_root || return 0
    if ! id -u "$RUN_AS_USER" >/dev/null 2>&1; then
        log "creating system user $RUN_AS_USER"
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/sh "$RUN_AS_USER" >&2 \
            || useradd --system --shell /bin/sh "$RUN_AS_USER" >&2
    fi
}

# Succeeds if a server is running on the data directory given.
cluster_running() {
    local rc=0
    as_owner "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1 || rc=$?
    return "$rc"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_locale_args() {
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        printf '%s\n' --locale=C.UTF-8
    else
        printf '%s\n' --no-locale
    fi
}

cmd_start() {
    local dir=$1 port=${2:-$DEFAULT_PORT}
    case $port in ''|*[!0-9]*) die "PORT must be a number, got '$port'";; esac
    [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "PORT out of range: $port"

    ensure_pg_bindir
    log "using PostgreSQL binaries in $PG_BIN ($("$PG_BIN/postgres" --version))"
    ensure_run_user

    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    case $dir in *"'"*|*'"'*|*'\'*) die "DIR must not contain quotes or backslashes: $dir";; esac
    cd /   # the postgres user may not be able to read the caller's cwd

    local data=$dir/data sock=$dir/sock logfile=$dir/log
    if is_root; then
        chown "$RUN_AS_USER:" "$dir"
        chmod 700 "$dir"
        as_owner test -w "$dir" \
            || die "user $RUN_AS_USER cannot write $dir (is a parent directory closed to it?)"
    fi

    if [ -f "$data/PG_VERSION" ] && cluster_running "$data"; then
        local running_port
        running_port=$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || true)
        if [ -n "$running_port" ] && [ "$running_port" != "$port" ]; then
            log "cluster in $dir is already running on port $running_port (not $port); reusing it"
            port=$running_port
        else
            log "cluster in $dir is already running on port $port; reusing it"
        fi
    else
        if port_in_use "$port"; then
            die "port $port on 127.0.0.1 is already in use by another process; pass a different PORT"
        fi
        if [ ! -f "$data/PG_VERSION" ]; then
            [ ! -e "$data" ] || [ -z "$(ls -A "$data")" ] \
                || die "$data exists but is not a PostgreSQL data directory"
            local locale_arg
            locale_arg=$(pick_locale_args)
            log "initialising cluster in $data ($locale_arg)"
            as_owner mkdir -p "$sock"
            as_owner "$PG_BIN/initdb" -D "$data" --auth=trust -U "$PG_SUPERUSER" \
                --encoding=UTF8 "$locale_arg" --no-sync >&2

            # A unix socket path is limited to ~107 bytes; without one we still have TCP.
            local sock_setting=$sock
            if [ "${#sock}" -gt 90 ]; then
                log "warning: $sock is too long for a unix socket path; unix sockets disabled"
                sock_setting=
            fi
            as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF

# --- throwaway test cluster (scripts/pg-test-cluster.sh) ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock_setting'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        else
            log "cluster in $data exists but is not running; starting it"
        fi
        log "starting server on 127.0.0.1:$port (log: $logfile)"
        if ! as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$logfile" -w -t 120 \
                -o "-p $port" start >&2; then
            log "server failed to start; last lines of $logfile:"
            tail -n 30 "$logfile" >&2 || true
            exit 1
        fi
    fi

    local psql
    psql=$(psql_bin)
    local exists
    exists=$("$psql" -X -q -At -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres \
        -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
    if [ "$exists" != 1 ]; then
        log "creating database $DB_NAME"
        "$psql" -X -q -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" -d postgres -v ON_ERROR_STOP=1 \
            -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$PG_SUPERUSER\" ENCODING 'UTF8' TEMPLATE template0" >&2
    fi

    printf 'postgres://%s@127.0.0.1:%s/%s\n' "$PG_SUPERUSER" "$port" "$DB_NAME"
}

cmd_stop() {
    local dir=$1
    local data=$dir/data
    if [ ! -f "$data/PG_VERSION" ]; then
        log "no cluster in $dir; nothing to stop"
        return 0
    fi
    PG_BIN=$(find_pg_bindir) || die "cannot find pg_ctl to stop the cluster in $dir"
    cd /
    if is_root; then
        RUN_AS_USER=$(stat -c %U "$data")
        [ "$RUN_AS_USER" != root ] || RUN_AS_USER=postgres
    fi
    if cluster_running "$data"; then
        log "stopping cluster in $dir"
        as_owner "$PG_BIN/pg_ctl" -D "$data" stop -m fast -w -t 60 >&2 \
            || log "warning: pg_ctl stop failed (already stopped?)"
    else
        log "cluster in $dir is not running"
    fi
}

[ $# -ge 1 ] || usage
case $1 in
    start)
        [ $# -ge 2 ] && [ $# -le 3 ] || usage
        cmd_start "$2" "${3:-}"
        ;;
    stop)
        [ $# -eq 2 ] || usage
        cmd_stop "$2"
        ;;
    -h|--help|help) usage ;;
    *) usage ;;
esac
