#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy
# The whole suite includes Spark (opt-in for a focused local run with --spark).
.venv/bin/python -m pytest -q --spark "$@"
