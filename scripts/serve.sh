#!/usr/bin/env bash
# One command to try the server as each role: a store with the sample lists and supply
# package (screened under UFLPA), a local admin, an importer tenant with one user, an
# officer, an analyst and an auditor; then `flscreen serve` on 127.0.0.1.
# Passwords are generated once per store and written to $OUT/credentials.txt (mode 600);
# set FLSCREEN_ADMIN_PASSWORD to choose the admin's. Run again: the store is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

OUT=${OUT:-out/serve}
PORT=${PORT:-8000}
mkdir -p "$OUT"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
export FLSCREEN_HOME="$OUT/home"
unset FLSCREEN_DB_URL FLSCREEN_USER
FL=.venv/bin/flscreen
S=src/flscreen/resources/sample
CREDS="$OUT/credentials.txt"

password() { .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))'; }
add_user() { # name role [extra args]
  local name=$1 role=$2 pw
  shift 2
  pw=$(password)
  [ "$role" = admin ] && pw=${FLSCREEN_ADMIN_PASSWORD:-$pw}
  printf '%s\n' "$pw" | $FL $AS users add "$name" --role "$role" --password-stdin "$@"
  printf '%-16s %-9s %s\n' "$name" "$role" "$pw" >>"$CREDS"
}

if [ ! -s "$CREDS" ]; then
  umask 077
  : >"$CREDS"
  AS=""
  add_user admin admin                        # the first user: a local admin
  AS="--as admin"
  $FL --as admin tenants add northwind --name "Northwind Apparel Inc." --party IMP-NW
  $FL --as admin tenants add southern-cross --name "Southern Cross Solar Pty Ltd" --party IMP-SC
  add_user officer.li officer
  add_user analyst.wu analyst
  add_user auditor.ko auditor
  add_user imp.northwind importer --tenant northwind
  add_user imp.southern importer --tenant southern-cross
  $FL --as admin lists import "$S/lists/uflpa_entity_list.html" --list uflpa
  $FL --as admin lists import "$S/lists/ofac_sdn" --list ofac-sdn
  $FL --as admin lists import "$S/lists/my_watchlist.csv" --list my-watchlist
  $FL --as officer.li screen "$S/supply" --policy uflpa --output "$OUT/verdicts.jsonl"
fi

echo
echo "Sign in at http://localhost:$PORT/ui/login as (user, role, password):"
cat "$CREDS"
echo "(also in $CREDS; the store is $FLSCREEN_HOME/flscreen.db)"
exec $FL serve --host 127.0.0.1 --port "$PORT"
