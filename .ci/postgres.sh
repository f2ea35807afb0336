# PostgreSQL for the tests: a private, throwaway cluster of its own (never the machine's
# clusters), from Debian's packages, on a free port of 127.0.0.1. Its superuser
# `ordertui_test` logs in with a random password (scram-sha-256, over TCP only), and
# ORDERTUI_TEST_PG holds the URL tests/support/postgres.py reads:
#   postgresql://ordertui_test:PASSWORD@127.0.0.1:PORT/postgres
# The cluster is UTF8 in the C.UTF-8 locale, in UTC, with fsync off (it is thrown away), in
# /dev/shm when that has 4 GiB free, else in $TMPDIR.
#
# Sourced by .ci/run:  pg_missing_packages, pg_start, pg_stop.
# On its own, it sets up a cluster, runs a command with ORDERTUI_TEST_PG set (or, without
# one, a query) and stops the cluster:
#   bash .ci/postgres.sh .venv/bin/python -m pytest -q tests/unit/store

PG_TEST_ROLE=ordertui_test
PG_TEST_DIR=""
PG_TEST_BIN=""
PG_TEST_AS=()

# The directory of initdb and pg_ctl: pg_config's, else the newest of Debian's
# /usr/lib/postgresql/*/bin, else the one on the PATH.
pg_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null || true)
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"; return 0
        fi
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    if command -v initdb >/dev/null 2>&1; then
        dir=$(dirname "$(readlink -f "$(command -v initdb)")")
        if [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    fi
    return 1
}

# The Debian packages to install: none when the server and its contrib extensions
# (pg_trgm, unaccent) are there.
pg_missing_packages() {
    local bin share
    if ! bin=$(pg_bindir); then echo "postgresql postgresql-contrib"; return 0; fi
    if [ -x "$bin/pg_config" ]; then
        share=$("$bin/pg_config" --sharedir 2>/dev/null || true)
        if [ -n "$share" ] && { [ ! -f "$share/extension/pg_trgm.control" ] ||
                                [ ! -f "$share/extension/unaccent.control" ]; }; then
            echo "postgresql-contrib"
        fi
    fi
}

pg_install() {
    local packages
    packages=$(pg_missing_packages)
    [ -n "$packages" ] || return 0
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    $sudo apt-get install -y -qq --no-install-recommends $packages >/dev/null
}

# a command as the cluster's owner: the postgres OS user when root (the server refuses to
# run as root), else the current user; from the cluster's directory, which that user can read
_pg_as() {
    (cd "$PG_TEST_DIR" && "${PG_TEST_AS[@]}" "$@")
}

# where the cluster goes: /dev/shm when it is large (RAM: creating and dropping a database
# there takes ~10 ms, ten times less than on a busy disk), else the temporary directory
_pg_parent() {
    local free
    free=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
    if [ -n "$free" ] && [ "$free" -ge $((4 * 1024 * 1024)) ] && [ -w /dev/shm ]; then
        echo /dev/shm
    else
        echo "${TMPDIR:-/tmp}"
    fi
}

_pg_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Creates and starts the cluster; exports ORDERTUI_TEST_PG. pg_stop stops it and deletes it.
pg_start() {
    local started=$EPOCHREALTIME
    if ! PG_TEST_BIN=$(pg_bindir); then
        echo "postgres: initdb and pg_ctl not found (apt-get install postgresql postgresql-contrib)" >&2
        return 1
    fi
    PG_TEST_DIR=$(mktemp -d "$(_pg_parent)/ordertui-pg.XXXXXX")
    PG_TEST_AS=()
    if [ "$(id -u)" -eq 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            echo "postgres: running as root, and there is no postgres OS user to run the server" >&2
            return 1
        fi
        chown postgres: "$PG_TEST_DIR"
        PG_TEST_AS=(runuser -u postgres --)
    fi
    local password locale=C
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && locale=C.UTF-8
    (umask 077 && printf '%s\n' "$password" >"$PG_TEST_DIR/pw")
    [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_TEST_DIR/pw"
    if ! _pg_as "$PG_TEST_BIN/initdb" -D "$PG_TEST_DIR/data" -U "$PG_TEST_ROLE" \
            --pwfile="$PG_TEST_DIR/pw" --auth=scram-sha-256 --encoding=UTF8 \
            --locale="$locale" --no-sync >"$PG_TEST_DIR/initdb.log" 2>&1; then
        cat "$PG_TEST_DIR/initdb.log" >&2
        return 1
    fi
    rm -f "$PG_TEST_DIR/pw"
    cat >>"$PG_TEST_DIR/data/postgresql.conf" <<EOF

# ordertui's tests: a throwaway cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_TEST_DIR'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
EOF
    local port attempt
    for attempt in 1 2 3 4 5; do
        port=$(_pg_free_port)
        if _pg_as "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" \
                -o "-p $port" -w -t 60 -s start >/dev/null 2>&1; then
            break
        fi
        if [ "$attempt" -eq 5 ]; then
            tail -n 20 "$PG_TEST_DIR/server.log" >&2
            return 1
        fi
    done
    export ORDERTUI_TEST_PG="postgresql://$PG_TEST_ROLE:$password@127.0.0.1:$port/postgres"
    local version
    version=$("$PG_TEST_BIN/postgres" --version | awk '{print $3}')
    LC_ALL=C awk -v v="$version" -v p="$port" -v a="${started/,/.}" -v b="${EPOCHREALTIME/,/.}" \
        'BEGIN { printf "postgres: PostgreSQL %s on 127.0.0.1:%s ready in %.1fs (ORDERTUI_TEST_PG)\n", v, p, b - a }'
}

pg_stop() {
    if [ -n "$PG_TEST_DIR" ] && [ -d "$PG_TEST_DIR" ]; then
        if [ -f "$PG_TEST_DIR/data/postmaster.pid" ]; then
            _pg_as "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate -w -s stop \
                >/dev/null 2>&1 || true
        fi
        rm -rf "$PG_TEST_DIR"
    fi
    PG_TEST_DIR=""
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    pg_install
    trap pg_stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    pg_start
    if [ $# -gt 0 ]; then
        "$@"
    else
        "$PG_TEST_BIN/psql" "$ORDERTUI_TEST_PG" -Atc \
            "select current_user, rolsuper, version() from pg_roles where rolname = current_user"
    fi
fi
