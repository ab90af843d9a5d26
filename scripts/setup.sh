#!/usr/bin/env bash
# Install what flscreen and its tests need on a fresh Debian machine, then the
# package itself into .venv. Safe to run again: each step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
ldconfig -p | grep -q libpango-1.0 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list :lang=zh 2>/dev/null | grep -q . || need_apt+=(fonts-wqy-microhei)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
# The browser tests drive Debian's chromium through chromium-driver (nothing downloads a browser).
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium chromium-driver)
# The OpenID Connect tests run a real provider (oidc-provider) under Node.
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install these Debian packages: ${need_apt[*]}" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.flscreen-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[dev]"
  touch "$stamp"
fi

# yente's own response models, for the conformance tests (tests/compat): yente pins
# other versions of followthemoney, rigour and fastapi than flscreen's, so it gets a
# virtualenv of its own; the tests run its models there, in a subprocess, on
# flscreen's answers.
yente_stamp=.yente-venv/.installed-5.5.0
if [ ! -f "$yente_stamp" ]; then
  rm -rf .yente-venv
  "$PYTHON" -m venv .yente-venv
  .yente-venv/bin/pip install -q yente==5.5.0
  touch "$yente_stamp"
fi

# The test OpenID provider (tests/oidc): panva's oidc-provider, exactly as pinned by the
# committed package-lock.json. Installed here so that nothing downloads at test time.
oidc_stamp=tests/oidc/node_modules/.flscreen-installed
if command -v npm >/dev/null 2>&1; then
  if [ ! -f "$oidc_stamp" ] || [ tests/oidc/package-lock.json -nt "$oidc_stamp" ]; then
    (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
    touch "$oidc_stamp"
  fi
else
  echo "setup: npm is missing: the OpenID Connect tests will skip" >&2
fi
