#!/usr/bin/env bash
# bench-load.sh: quotekit under HTTP load, against a bare echo/v4 JSON server measured in
# the same run (decoding GetProduct's body into the same types, and into any). The server (quotekit or the baseline) runs on one core with GOMAXPROCS=1,
# wrk on the other; the two are measured in turn (baseline, quotekit, baseline, …) so a
# busy neighbour slows both alike. Prints a table of medians, ranges and ratios with PASS
# or MISS per target and writes it as markdown (docs/PERFORMANCE.md explains it).
#
# GetProduct also runs on the PostgreSQL store: the script starts a throwaway cluster of
# its own (initdb and pg_ctl from PATH or /usr/lib/postgresql/*/bin; Debian's postgresql
# is installed when they are missing) in a directory under /tmp, listening on a Unix
# socket only, trusting local connections, pinned to the server core, and removes it on
# exit. As root its programs run as the postgres user.
#
# Loopback only. Settings (environment):
#   BENCH_DURATION     seconds per measured run                     (default 5)
#   BENCH_JWT_DURATION seconds per run of the JWT scenario          (default 2)
#   BENCH_REPS         runs per series                              (default 5)
#   BENCH_WARMUP       seconds of unmeasured load per server        (default 2)
#   BENCH_CONNECTIONS  wrk connections                              (default 16)
#   BENCH_TOKENS_SMALL / BENCH_TOKENS_LARGE   stored access tokens  (1000 / 1000000)
#   BENCH_STARTS       starts measured for start-to-ready           (default 5)
#   BENCH_JWT_MAX      most JWTs minted for the JWT scenario        (default 60000)
#   BENCH_PORT         first of seven loopback ports                (default 18180)
#   BENCH_SERVER_CPU / BENCH_CLIENT_CPU   cores for server and wrk  (0 / 1)
#   BENCH_OUT          markdown results                             (var/bench/results.md)
#   BENCH_WORK         working directory, wiped at start            (var/bench/run)
#   BENCH_PG_DIR_PARENT  parent of the PostgreSQL cluster's directory (default /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${BENCH_DURATION:-5}
JWT_DURATION=${BENCH_JWT_DURATION:-2}
REPS=${BENCH_REPS:-5}
WARMUP=${BENCH_WARMUP:-2}
CONNS=${BENCH_CONNECTIONS:-16}
TOKENS_SMALL=${BENCH_TOKENS_SMALL:-1000}
TOKENS_LARGE=${BENCH_TOKENS_LARGE:-1000000}
STARTS=${BENCH_STARTS:-5}
JWT_MAX=${BENCH_JWT_MAX:-60000}
PORT=${BENCH_PORT:-18180}
SERVER_CPU=${BENCH_SERVER_CPU:-0}
CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
OUT=${BENCH_OUT:-var/bench/results.md}
WORK=${BENCH_WORK:-var/bench/run}
TENANT=Cust12345
PRODUCT=CP-32-GG@NOK-STD
JWT_KEY=testdata/keys/superoffice-test-sod.pem # the JWT sample trusts it with --dev

for n in DURATION JWT_DURATION REPS WARMUP CONNS TOKENS_SMALL TOKENS_LARGE STARTS JWT_MAX PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "bench-load: $n must be a whole number, not '${!n}'" >&2; exit 2; }
done
((DURATION >= 1 && DURATION <= 120 && JWT_DURATION >= 1 && JWT_DURATION <= 60 && REPS >= 1 && REPS <= 50)) ||
  { echo "bench-load: 1 ≤ BENCH_DURATION ≤ 120, 1 ≤ BENCH_JWT_DURATION ≤ 60, 1 ≤ BENCH_REPS ≤ 50" >&2; exit 2; }

log() { printf '[bench-load %s] %s\n' "$(date +%T)" "$*" >&2; }

# --- wrk ------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  log "installing wrk from Debian"
  SUDO=()
  ((EUID == 0)) || SUDO=(sudo)
  "${SUDO[@]}" apt-get install -y wrk >/dev/null || { "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y wrk >/dev/null; }
fi
# pg_bin: the directory holding initdb and pg_ctl (PATH first, then the newest Debian
# version), or nothing.
pg_bin() {
  local initdb ctl d
  if initdb=$(command -v initdb) && ctl=$(command -v pg_ctl); then
    initdb=$(readlink -f "$initdb") ctl=$(readlink -f "$ctl")
    [[ $(dirname "$initdb") == "$(dirname "$ctl")" ]] && { dirname "$initdb"; return; }
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5nr); do
    [[ -x $d/initdb && -x $d/pg_ctl ]] && { echo "$d"; return; }
  done
}
PG_BIN=$(pg_bin)
if [[ -z $PG_BIN ]]; then
  log "installing postgresql from Debian"
  SUDO=()
  ((EUID == 0)) || SUDO=(sudo)
  "${SUDO[@]}" apt-get install -y postgresql >/dev/null || { "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y postgresql >/dev/null; }
  PG_BIN=$(pg_bin)
  [[ -n $PG_BIN ]] || { echo "bench-load: no initdb/pg_ctl after installing postgresql" >&2; exit 1; }
fi
if (($(nproc) < 2)); then
  log "warning: $(nproc) core(s); server and wrk share a core, ratios still compare like with like"
  SERVER_CPU=0 CLIENT_CPU=0
fi

# --- build ----------------------------------------------------------------------------
# WORK is wiped: refuse anything that is not empty and not an earlier run's directory.
if [[ -d $WORK && ! -e $WORK/samples.tsv && -n $(ls -A "$WORK") ]]; then
  echo "bench-load: $WORK is not empty and holds no earlier run; choose another BENCH_WORK" >&2
  exit 2
fi
rm -rf "$WORK"
mkdir -p "$WORK/bin" "$WORK/replies" "$(dirname "$OUT")"
WORK=$(cd "$WORK" && pwd)
log "building"
go build -o "$WORK/bin/" ./examples/sharedsecret ./examples/jwt ./internal/bench/baseline ./internal/bench/benchkit
BIN=$WORK/bin
SAMPLES=$WORK/samples.tsv
: >"$SAMPLES"

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}

# The PostgreSQL cluster: made in a directory of its own under /tmp (as root, the postgres
# user could not enter a directory of root's such as var/), owned by the user its
# programs run as, removed by pg_remove. PG_URL is the database the sample uses.
PG_DIR=
PG_AS=()
((EUID != 0)) || PG_AS=(runuser -u postgres --)
pg() { "${PG_AS[@]}" env LC_ALL=C "$PG_BIN/$1" "${@:2}"; }
pg_remove() {
  [[ -n $PG_DIR ]] || return 0
  [[ ! -f $PG_DIR/data/postmaster.pid ]] || pg pg_ctl -D "$PG_DIR/data" stop -m fast -t 30 >/dev/null 2>&1 ||
    pg pg_ctl -D "$PG_DIR/data" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=
}
trap 'cleanup; pg_remove' EXIT
trap 'exit 130' INT TERM

# pinned NAME PORT CMD...: starts CMD on the server core with GOMAXPROCS=1, waits (at most
# 30 s) for /readyz, and sets the variable PID_<NAME>.
pinned() {
  local name=$1 port=$2
  shift 2
  taskset -c "$SERVER_CPU" env GOMAXPROCS=1 "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  local pid=$!
  PIDS+=("$pid")
  printf -v "PID_${name//-/_}" '%s' "$pid"
  for _ in $(seq 300); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  log "$name did not get ready; its log:"
  tail -20 "$WORK/$name.log" >&2
  exit 1
}

stop() { # stop PID: ends one server this script started
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

qk() { # qk NAME PORT DIR [flags]: the shared-secret sample on data directory DIR
  local name=$1 port=$2 dir=$3
  shift 3
  pinned "$name" "$port" "$BIN/sharedsecret" --dev --http --addr "127.0.0.1:$port" --db "$dir/quotekit.db" "$@"
}

# --- data -----------------------------------------------------------------------------
# One shared-secret sample database (demo tenant, its secret, the demo ERP), copied for
# each server so that one scenario's writes do not change another's tables.
log "creating the demo tenant"
qk init $((PORT + 1)) "$WORK/data-init"
stop "$PID_init"
SECRET=$(grep -o 'qk_sk_test_[A-Za-z0-9_-]*' "$WORK/init.out" | head -1)
[[ -n $SECRET ]] || { log "no shared secret in the sample's output"; exit 1; }
for d in small large auth ready; do cp -a "$WORK/data-init" "$WORK/data-$d"; done
"$BIN/benchkit" seed -db "$WORK/data-small/quotekit.db" -tenant "$TENANT" -tokens "$TOKENS_SMALL" >&2
"$BIN/benchkit" seed -db "$WORK/data-large/quotekit.db" -tenant "$TENANT" -tokens "$TOKENS_LARGE" >&2

# The PostgreSQL store: a cluster with the server's data, WAL and socket in PG_DIR, its
# postmaster (and so every backend it forks) pinned to the server core like quotekit: the
# SQLite store does its work on that core inside the server, so each store gets the same
# one core. PostgreSQL's defaults otherwise (fsync on, as the SQLite store syncs too).
log "starting PostgreSQL ($PG_BIN) on core $SERVER_CPU"
PG_DIR=$(mktemp -d "${BENCH_PG_DIR_PARENT:-/tmp}/quotekit-bench-pg-XXXXXX")
((EUID != 0)) || chown postgres: "$PG_DIR"
pg initdb -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions >"$WORK/pg-initdb.log" 2>&1 ||
  { log "initdb failed:"; tail -20 "$WORK/pg-initdb.log" >&2; exit 1; }
taskset -c "$SERVER_CPU" "${PG_AS[@]}" env LC_ALL=C "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
  -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR'" start >/dev/null ||
  { log "PostgreSQL did not start:"; tail -20 "$PG_DIR/log" >&2; exit 1; }
PG_URL="postgres://postgres@/postgres?host=$PG_DIR&sslmode=disable"
# The sample keeps its other state (master key, the demo ERP's SQLite catalogue) in var/
# of its working directory when the store is a URL: it runs in data-pg.
mkdir -p "$WORK/data-pg"
qkpg() { # qkpg NAME PORT: the shared-secret sample on the PostgreSQL store
  pinned "$1" "$2" env -C "$WORK/data-pg" "$BIN/sharedsecret" --dev --http --addr "127.0.0.1:$2" --db "$PG_URL"
}
qkpg pg-init $((PORT + 6))
stop "$PID_pg_init"
SECRET_PG=$(grep -o 'qk_sk_test_[A-Za-z0-9_-]*' "$WORK/pg-init.out" | head -1)
[[ -n $SECRET_PG ]] || { log "no shared secret in the output of the sample on PostgreSQL"; exit 1; }
"$BIN/benchkit" seed -db "$PG_URL" -tenant "$TENANT" -tokens "$TOKENS_SMALL" >&2

# --- servers --------------------------------------------------------------------------
log "starting the servers (core $SERVER_CPU, GOMAXPROCS=1); wrk runs on core $CLIENT_CPU"
qk small $((PORT + 1)) "$WORK/data-small"
qk large $((PORT + 2)) "$WORK/data-large"
qk auth $((PORT + 3)) "$WORK/data-auth"
qkpg pg $((PORT + 6))
pinned jwt $((PORT + 4)) "$BIN/jwt" --dev --http --addr "127.0.0.1:$((PORT + 4))" --db "$WORK/data-jwt/quotekit.db"

token_of() { sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'; }
TOKEN_SMALL=$(curl -fs -X POST "http://127.0.0.1:$((PORT + 1))/Authenticate" -H "Authorization: Bearer $SECRET" | token_of)
TOKEN_LARGE=$(curl -fs -X POST "http://127.0.0.1:$((PORT + 2))/Authenticate" -H "Authorization: Bearer $SECRET" | token_of)
TOKEN_PG=$(curl -fs -X POST "http://127.0.0.1:$((PORT + 6))/Authenticate" -H "Authorization: Bearer $SECRET_PG" | token_of)

# The GetProduct request NetServer sends: the quote's context, the product key, the
# connection's ConfigValues and ConnectionInfo.
BODY=$WORK/getproduct.json
printf '{"Context":%s,"ErpProductKey":"%s","ConfigValues":{"ApplicationId":"quotekit-demo","QuoteConnectorUrl":"https://erp.example.com/quote","SharedSecret":"%s","company":"[I:1]"},"ConnectionInfo":{"CRMConnectionId":2,"ERPClientName":"Example ERP","ERPClientKey":"ex-erp","DisplayName":"US:\\"Example ERP\\"","DisplayDescription":null}}' \
  "$(cat testdata/requests/context.json)" "$PRODUCT" "$SECRET" >"$BODY"

# The same GetProduct as NetServer sends it over SOAP: the same context and product key,
# the ConfigValues as ConnectionConfigFields (the shared secret among them), the tenant
# as ContextIdentifier.
SOAP_BODY=$WORK/getproduct.xml
SOAP_ACTION=$("$BIN/benchkit" soapbody -json "$BODY" -op GetProduct -tenant "$TENANT" -out "$SOAP_BODY")
curl -fs -o /dev/null "http://127.0.0.1:$((PORT + 1))/Services/QuoteConnector.svc" -H 'Content-Type: text/xml; charset=utf-8' \
  -H "SOAPAction: $SOAP_ACTION" --data-binary @"$SOAP_BODY" || { log "the SOAP GetProduct failed"; exit 1; }

# The GetProduct request with a full quote context (10.7 kB): about twenty ConfigValues,
# every party of the quote and five lines (testdata/requests/getproduct-full.json).
BODY_10K=$WORK/getproduct-10k.json
cp testdata/requests/getproduct-full.json "$BODY_10K"

# Replies for the baseline: quotekit's own answers, so both encode the same documents;
# and one JWT exchanged, to know the JWT sample trusts the key before minting thousands.
curl -fs -X POST "http://127.0.0.1:$((PORT + 1))/GetProduct" -H "Authorization: Bearer $TOKEN_SMALL" \
  -H 'Content-Type: application/json' --data-binary @"$BODY" >"$WORK/replies/GetProduct.json"
curl -fs -X POST "http://127.0.0.1:$((PORT + 3))/Authenticate" -H "Authorization: Bearer $SECRET" >"$WORK/replies/Authenticate.json"
"$BIN/benchkit" jwts -key "$JWT_KEY" -tenant "$TENANT" -n 1 -out "$WORK/probe.jwt" >/dev/null
curl -fs -X POST "http://127.0.0.1:$((PORT + 4))/Authenticate" -H "Authorization: Bearer $(cat "$WORK/probe.jwt")" >"$WORK/probe.json"
# The same request on the PostgreSQL store must get the same answer (the same demo ERP).
curl -fs -X POST "http://127.0.0.1:$((PORT + 6))/GetProduct" -H "Authorization: Bearer $TOKEN_PG" \
  -H 'Content-Type: application/json' --data-binary @"$BODY" >"$WORK/pg-getproduct.json"
for f in replies/GetProduct replies/Authenticate probe pg-getproduct; do
  [[ -s $WORK/$f.json ]] || { log "no answer in $f.json: a server refused the first request"; exit 1; }
done
cmp -s "$WORK/replies/GetProduct.json" "$WORK/pg-getproduct.json" ||
  { log "GetProduct answered differently on PostgreSQL than on SQLite"; exit 1; }
pinned baseline "$PORT" "$BIN/baseline" -addr "127.0.0.1:$PORT" -replies "$WORK/replies" -key "$JWT_KEY"

# --- wrk scripts ----------------------------------------------------------------------
DONE_LUA='
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.3f %.3f\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000))
end'
cat >"$WORK/getproduct.lua" <<EOF
wrk.method = "POST"
local f = assert(io.open("$BODY", "rb"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
$DONE_LUA
EOF
cat >"$WORK/getproduct-10k.lua" <<EOF
wrk.method = "POST"
local f = assert(io.open("$BODY_10K", "rb"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
$DONE_LUA
EOF
cat >"$WORK/soap.lua" <<EOF
wrk.method = "POST"
local f = assert(io.open("$SOAP_BODY", "rb"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '$SOAP_ACTION'
$DONE_LUA
EOF
cat >"$WORK/post.lua" <<EOF
wrk.method = "POST"
$DONE_LUA
EOF
# Each JWT is accepted once (replay protection), so every request takes the next JWT of
# a pre-minted pool: lines FIRST+1 … FIRST+COUNT of the file, from wrk's arguments. The
# baseline reads the same kind of pool the same way; it does not remember JWTs.
cat >"$WORK/jwt.lua" <<EOF
local tokens, i = {}, 0
function init(args)
  local first, count, n = tonumber(args[2]), tonumber(args[3]), 0
  for line in io.lines(args[1]) do
    n = n + 1
    if n > first + count then break end
    if n > first then tokens[#tokens + 1] = line end
  end
end
function request()
  i = i % #tokens + 1
  return wrk.format("POST", nil, { ["Authorization"] = "Bearer " .. tokens[i] }, nil)
end
$DONE_LUA
EOF

# cputicks PID: user + system CPU time of a process, in clock ticks.
cputicks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)
# pgticks: the same for the PostgreSQL server: its postmaster with the backends that
# ended (their time is the postmaster's children's time), and the running backends.
pgticks() {
  local pm t p
  pm=$(head -1 "$PG_DIR/data/postmaster.pid")
  t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
  for p in $(pgrep -P "$pm"); do t=$((t + $(cputicks "$p" 2>/dev/null || echo 0))); done
  echo "$t"
}

# load SERIES REP SECONDS PID URL LUA AUTHORIZATION [SCRIPT ARGS…]: one wrk run on the
# client core against the server PID (AUTHORIZATION is a header value, or "" for none);
# appends a sample (throughput, median latency, failed requests, the server's CPU use,
# 99th percentile latency) unless REP is "warmup". Sets REQUESTS to the requests wrk completed.
REQUESTS=0
load() {
  local series=$1 rep=$2 secs=$3 pid=$4 url=$5 lua=$6 authz=$7
  shift 7
  local hdr=()
  [[ -z $authz ]] || hdr=(-H "Authorization: $authz")
  local out t0 t1
  t0=$(cputicks "$pid")
  out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${secs}s" --timeout 10s -s "$lua" "${hdr[@]}" "$url" -- "$@")
  t1=$(cputicks "$pid")
  local line
  line=$(grep '^RESULT ' <<<"$out" | tail -1)
  [[ -n $line ]] || { log "wrk gave no result for $series:"; echo "$out" >&2; exit 1; }
  local req us status errs p50 p99
  read -r _ req us status errs p50 p99 <<<"$line"
  REQUESTS=$req
  [[ $rep == warmup ]] && return 0
  local rps cpu
  rps=$(awk -v r="$req" -v us="$us" 'BEGIN { printf "%.1f", r / (us / 1e6) }')
  cpu=$(awk -v d=$((t1 - t0)) -v hz="$TICKS" -v us="$us" 'BEGIN { printf "%.0f", 100 * d / hz / (us / 1e6) }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$series" "$rep" "$rps" "$p50" $((status + errs)) "$cpu" "$p99" >>"$SAMPLES"
  log "$(printf '%-28s run %s: %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %3s %%  failed %d' "$series" "$rep" "$rps" "$p50" "$p99" "$cpu" $((status + errs)))"
}

BASE=http://127.0.0.1:$PORT
SMALL=http://127.0.0.1:$((PORT + 1))
PGSRV=http://127.0.0.1:$((PORT + 6))
LARGE=http://127.0.0.1:$((PORT + 2))
AUTH=http://127.0.0.1:$((PORT + 3))
JWT=http://127.0.0.1:$((PORT + 4))

{
  printf '#machine\t%s cores (%s), %s, kernel %s; shared with other work\n' "$(nproc)" \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(go version | cut -d' ' -f3)" "$(uname -r)"
  printf '#run\t%s; %s runs of %s s per series (JWT: %s s), interleaved; wrk -t1 -c%s on core %s; servers on core %s with GOMAXPROCS=1\n' \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$REPS" "$DURATION" "$JWT_DURATION" "$CONNS" "$CLIENT_CPU" "$SERVER_CPU"
  printf '#requests\tGetProduct %s bytes in (getproduct/, SOAP %s) and %s bytes in (getproduct-10k/), %s bytes out; Authenticate answers %s (secret) and %s (JWT) bytes\n' \
    "$(wc -c <"$BODY")" "$(wc -c <"$SOAP_BODY")" "$(wc -c <"$BODY_10K")" "$(wc -c <"$WORK/replies/GetProduct.json")" "$(wc -c <"$WORK/replies/Authenticate.json")" "$(wc -c <"$WORK/probe.json")"
} >>"$SAMPLES"

# --- scenario: Authenticate with a SuperOffice RS256 JWT ------------------------------
# First, while the JWTs are fresh (they are valid for 10 minutes from minting). A warm-up
# on a small pool gives quotekit's rate; the pool is sized from it and topped up between
# runs when a run went faster, JWT_MAX JWTs at most.
# The runs are shorter than the others: every request needs a JWT of its own, and
# signing one (what SuperOffice does) costs some twenty times what verifying it does.
log "warming up"
"$BIN/benchkit" jwts -key "$JWT_KEY" -tenant "$TENANT" -n 5000 -out "$WORK/warm.jwts" >&2
load auth-jwt/quotekit warmup 1 "$PID_jwt" "$JWT/Authenticate" "$WORK/jwt.lua" "" "$WORK/warm.jwts" 0 5000
WARM_RATE=$REQUESTS
POOL=$(((WARM_RATE * JWT_DURATION * REPS * 13 / 10) + 2000))
((POOL <= JWT_MAX)) || POOL=$JWT_MAX
load auth-jwt/baseline warmup "$WARMUP" "$PID_baseline" "$BASE/rs256/Authenticate" "$WORK/jwt.lua" "" "$WORK/warm.jwts" 0 5000
log "minting $POOL JWTs (quotekit accepted $WARM_RATE in its 1 s warm-up)"
"$BIN/benchkit" jwts -key "$JWT_KEY" -tenant "$TENANT" -n "$POOL" -out "$WORK/pool.jwts" >&2
USED=0
for rep in $(seq "$REPS"); do
  load auth-jwt/baseline "$rep" "$JWT_DURATION" "$PID_baseline" "$BASE/rs256/Authenticate" "$WORK/jwt.lua" "" "$WORK/pool.jwts" 0 5000
  load auth-jwt/quotekit "$rep" "$JWT_DURATION" "$PID_jwt" "$JWT/Authenticate" "$WORK/jwt.lua" "" "$WORK/pool.jwts" "$USED" $((POOL - USED))
  USED=$((USED + REQUESTS + CONNS)) # requests in flight at the end may have used a JWT too
  # Top the pool up (between runs, never during one) when the next run might use it up.
  NEED=$((2 * (REQUESTS + CONNS)))
  if ((rep < REPS && POOL - USED < NEED && POOL < JWT_MAX)); then
    MORE=$((NEED < JWT_MAX - POOL ? NEED : JWT_MAX - POOL))
    "$BIN/benchkit" jwts -key "$JWT_KEY" -tenant "$TENANT" -n "$MORE" -out "$WORK/more.jwts" >&2
    cat "$WORK/more.jwts" >>"$WORK/pool.jwts"
    POOL=$((POOL + MORE))
  fi
  ((USED < POOL)) || { log "the JWT pool is used up; raise BENCH_JWT_MAX"; break; }
done

# --- scenario: GetProduct, 4.6 kB: 1,000 and 1,000,000 stored tokens, SOAP ------------
# The baseline decodes the same bytes into the same types (/json) and into any (/any).
# getproduct/quotekit-pg is the same sample, request and token count on the PostgreSQL
# store, measured right after quotekit-1k in each round.
load getproduct/baseline warmup "$WARMUP" "$PID_baseline" "$BASE/json/GetProduct" "$WORK/getproduct.lua" ""
load getproduct/baseline-any warmup 1 "$PID_baseline" "$BASE/any/GetProduct" "$WORK/getproduct.lua" ""
load getproduct/quotekit-1k warmup "$WARMUP" "$PID_small" "$SMALL/GetProduct" "$WORK/getproduct.lua" "Bearer $TOKEN_SMALL"
load getproduct/quotekit-pg warmup "$WARMUP" "$PID_pg" "$PGSRV/GetProduct" "$WORK/getproduct.lua" "Bearer $TOKEN_PG"
load getproduct/quotekit-1m warmup "$WARMUP" "$PID_large" "$LARGE/GetProduct" "$WORK/getproduct.lua" "Bearer $TOKEN_LARGE"
load getproduct/quotekit-soap warmup "$WARMUP" "$PID_small" "$SMALL/Services/QuoteConnector.svc" "$WORK/soap.lua" ""
for rep in $(seq "$REPS"); do
  load getproduct/baseline "$rep" "$DURATION" "$PID_baseline" "$BASE/json/GetProduct" "$WORK/getproduct.lua" ""
  load getproduct/quotekit-1k "$rep" "$DURATION" "$PID_small" "$SMALL/GetProduct" "$WORK/getproduct.lua" "Bearer $TOKEN_SMALL"
  PG_T0=$(pgticks)
  load getproduct/quotekit-pg "$rep" "$DURATION" "$PID_pg" "$PGSRV/GetProduct" "$WORK/getproduct.lua" "Bearer $TOKEN_PG"
  log "$(awk -v d=$(($(pgticks) - PG_T0)) -v hz="$TICKS" -v s="$DURATION" 'BEGIN { printf "  PostgreSQL server CPU during that run: %.0f %% of a core", 100 * d / hz / s }')"
  load getproduct/baseline-any "$rep" "$DURATION" "$PID_baseline" "$BASE/any/GetProduct" "$WORK/getproduct.lua" ""
  load getproduct/quotekit-soap "$rep" "$DURATION" "$PID_small" "$SMALL/Services/QuoteConnector.svc" "$WORK/soap.lua" ""
  load getproduct/quotekit-1m "$rep" "$DURATION" "$PID_large" "$LARGE/GetProduct" "$WORK/getproduct.lua" "Bearer $TOKEN_LARGE"
done

# --- scenario: GetProduct, 10.7 kB, with a full quote context -------------------------
load getproduct-10k/baseline warmup 1 "$PID_baseline" "$BASE/json/GetProduct" "$WORK/getproduct-10k.lua" ""
load getproduct-10k/quotekit-1k warmup 1 "$PID_small" "$SMALL/GetProduct" "$WORK/getproduct-10k.lua" "Bearer $TOKEN_SMALL"
for rep in $(seq "$REPS"); do
  load getproduct-10k/baseline "$rep" "$DURATION" "$PID_baseline" "$BASE/json/GetProduct" "$WORK/getproduct-10k.lua" ""
  load getproduct-10k/quotekit-1k "$rep" "$DURATION" "$PID_small" "$SMALL/GetProduct" "$WORK/getproduct-10k.lua" "Bearer $TOKEN_SMALL"
  load getproduct-10k/baseline-any "$rep" "$DURATION" "$PID_baseline" "$BASE/any/GetProduct" "$WORK/getproduct-10k.lua" ""
done

# --- scenario: Authenticate with a shared secret --------------------------------------
load auth-secret/baseline warmup "$WARMUP" "$PID_baseline" "$BASE/json/Authenticate" "$WORK/post.lua" "Bearer $SECRET"
load auth-secret/quotekit warmup "$WARMUP" "$PID_auth" "$AUTH/Authenticate" "$WORK/post.lua" "Bearer $SECRET"
for rep in $(seq "$REPS"); do
  load auth-secret/baseline "$rep" "$DURATION" "$PID_baseline" "$BASE/json/Authenticate" "$WORK/post.lua" "Bearer $SECRET"
  load auth-secret/quotekit "$rep" "$DURATION" "$PID_auth" "$AUTH/Authenticate" "$WORK/post.lua" "Bearer $SECRET"
done

# --- memory: the peak resident set of each server over the whole run ------------------
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
for s in baseline small large pg auth jwt; do
  pid_var=PID_$s
  printf 'rss/%s\t1\t%s\t0\t0\t0\n' "$(sed 's/^small$/quotekit-1k/; s/^large$/quotekit-1m/; s/^pg$/quotekit-pg/; s/^auth$/quotekit-auth-secret/; s/^jwt$/quotekit-jwt/' <<<"$s")" \
    "$(hwm "${!pid_var}")" >>"$SAMPLES"
done
cleanup
PIDS=()
pg_remove

# --- start to ready -------------------------------------------------------------------
log "measuring start-to-ready ($STARTS starts)"
RP=$((PORT + 5))
"$BIN/benchkit" ready -n "$STARTS" -url "http://127.0.0.1:$RP/readyz" -- \
  taskset -c "$SERVER_CPU" env GOMAXPROCS=1 "$BIN/sharedsecret" --dev --http --addr "127.0.0.1:$RP" --db "$WORK/data-ready/quotekit.db" \
  >"$WORK/ready.txt" 2>"$WORK/ready.log"
grep -E '^[0-9.]+$' "$WORK/ready.txt" | awk '{ printf "ready/sharedsecret\t%d\t%s\t0\t0\t0\n", NR, $1 }' >>"$SAMPLES"

# --- report ---------------------------------------------------------------------------
echo
"$BIN/benchkit" report -samples "$SAMPLES" -out "$OUT"
log "samples in $SAMPLES; results written to $OUT"
