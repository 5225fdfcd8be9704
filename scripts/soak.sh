#!/usr/bin/env bash
# Soak test: builds the shared-secret sample, starts it on a loopback port with a fresh
# data directory, and drives it with internal/soak (a mix of NetServer calls from
# several users) for SOAK_DURATION (default 10m, any Go duration). Fails when a request
# fails, a quote ends early (an empty product search included) or none is finished, a due
# call is dropped, the server's goroutines grow by more than 16 or its resident set by
# more than 10 %, or the server dies (internal/soak's gate).
#
#   SOAK_DURATION=60s scripts/soak.sh [extra flags for internal/soak, e.g. -users 32]
#
# The sample serves its metrics (the server's goroutines) on a listener of its own
# (--metrics-addr 127.0.0.1:0); the script reads its URL from the server's log.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${SOAK_DURATION:-10m}
tenant=Cust12345
umask 077
work=$(mktemp -d "${TMPDIR:-/tmp}/quotekit-soak.XXXXXX")
server_pid=

cleanup() {
  local status=$?
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # Graceful shutdown takes a few seconds at most; then stop waiting.
    for _ in $(seq 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if ((status != 0)) && [[ -s $work/server.log ]]; then
    echo "--- last lines of the server log ---" >&2
    tail -n 20 "$work/server.log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "soak: building into $work"
go build -o "$work/sharedsecret" ./examples/sharedsecret
go build -o "$work/quotekit" ./cmd/quotekit
go build -o "$work/soak" ./internal/soak

# The tenant and its secret are made with the admin tool before the sample starts, so
# the secret comes from 'secret create --json' rather than from the sample's banner.
db=$work/data/quotekit.db
"$work/quotekit" tenant add "$tenant" --db "$db" --name "Soak customer" --env test \
  --config 'company=[I:1]' --actor soak --json >/dev/null
"$work/quotekit" secret create "$tenant" --db "$db" --dev --actor soak --json >"$work/secret.json"

# Port 0: the kernel picks a free port, and the sample prints the address it serves.
# The metrics have a listener of their own, never the public one; its URL is on stderr.
"$work/sharedsecret" --dev --http --addr 127.0.0.1:0 --metrics-addr 127.0.0.1:0 --db "$db" --log-level warn \
  >"$work/server.out" 2>"$work/server.log" &
server_pid=$!

url=
metrics=
for _ in $(seq 300); do # 30 s
  url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/server.out" | head -n 1 || true)
  metrics=$(grep -oE 'metrics at http://127\.0\.0\.1:[0-9]+/metrics' "$work/server.log" | head -n 1 | cut -d' ' -f3 || true)
  [[ -n $metrics ]] || url=
  [[ -n $url ]] && curl -fsS -o /dev/null --max-time 2 "$url/healthz" 2>/dev/null && break
  url=
  kill -0 "$server_pid" 2>/dev/null || { echo "soak: the server exited at start" >&2; exit 1; }
  sleep 0.1
done
[[ -n $url ]] || { echo "soak: the server did not become healthy within 30 s" >&2; exit 1; }
echo "soak: server pid $server_pid at $url"

status=0
"$work/soak" -url "$url" -metrics-url "$metrics" -secret-file "$work/secret.json" -pid "$server_pid" -duration "$duration" "$@" || status=$?
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "soak: the server died during the run" >&2
  status=1
fi
exit "$status"
