#!/usr/bin/env bash
# Starts both samples on loopback, each on a fresh database, and runs `quotekit check`
# against each: the shared-secret sample with the secret it prints on its first start,
# the JWT sample with JWTs signed by the development key it trusts; then
# `quotekit check --soap` against the SOAP endpoint of each sample whose banner names
# one ("SuperOffice Online calls SOAP today, at <url>") and prints a secret. Fails when
# a required check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

export CGO_ENABLED=1
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/quotekit" ./cmd/quotekit
go build -o "$work/sharedsecret" ./examples/sharedsecret
go build -o "$work/jwt" ./examples/jwt

# start NAME ARGS...: runs a sample in the background and waits (30 s at most) for its
# banner, which holds the URL it listens on.
start() {
  local name=$1; shift
  "$work/$name" --dev --http --addr 127.0.0.1:0 --db "$work/data-$name/quotekit.db" "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 300); do
    if grep -q 'export QK_URL=' "$work/$name.out" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "$name did not start within 30 s:"; cat "$work/$name.out" "$work/$name.log"
  return 1
}

common=(--allow-http --search drill --config 'company=[I:1]' --quotes 3)

start sharedsecret
url=$(sed -nE 's/.*export QK_URL=(\S+) QK_SECRET=.*/\1/p' "$work/sharedsecret.out" | head -1)
sed -nE 's/.*export QK_URL=\S+ QK_SECRET=(\S+).*/\1/p' "$work/sharedsecret.out" | head -1 >"$work/secret"
echo "== quotekit check: shared-secret sample at $url"
"$work/quotekit" check --url "$url" --secret-file "$work/secret" "${common[@]}"

# soap_url NAME: the SOAP endpoint a sample's banner names, or nothing.
soap_url() {
  sed -nE 's/.*SuperOffice Online calls SOAP today, at (\S+).*/\1/p' "$work/$1.out" | head -1
}

soap=$(soap_url sharedsecret)
if [ -z "$soap" ]; then
  echo "the shared-secret sample's banner names no SOAP endpoint"; exit 1
fi
echo "== quotekit check --soap: shared-secret sample at $soap"
"$work/quotekit" check --soap --url "$soap" --tenant Cust12345 --secret-file "$work/secret" "${common[@]}"

start jwt
url=$(sed -nE 's/.*export QK_URL=(\S+).*/\1/p' "$work/jwt.out" | head -1)
echo "== quotekit check: JWT sample at $url"
"$work/quotekit" check --url "$url" --jwt-key testdata/keys/superoffice-test-sod.pem \
  --app-id quotekit-demo --tenant Cust12345 --associate-id 12 "${common[@]}"

# The JWT sample's SOAP endpoint is checked once its banner prints a shared secret
# (QK_SECRET) beside the SOAP URL; until then it is skipped.
soap=$(soap_url jwt)
sed -nE 's/.*QK_SECRET=(\S+).*/\1/p' "$work/jwt.out" | head -1 >"$work/jwt-secret"
if [ -n "$soap" ] && [ -s "$work/jwt-secret" ]; then
  echo "== quotekit check --soap: JWT sample at $soap"
  "$work/quotekit" check --soap --url "$soap" --tenant Cust12345 --secret-file "$work/jwt-secret" "${common[@]}"
else
  echo "== quotekit check --soap: JWT sample skipped (its banner prints no SOAP URL with a secret)"
fi
