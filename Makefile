# The README's two commands: `make demo` and `make test`.
.PHONY: setup demo test lint check bench serve

setup:
	scripts/setup.sh

demo:
	scripts/demo.sh

test:
	scripts/test.sh

lint:
	.venv/bin/ruff check src tests bench && .venv/bin/mypy

# What CI checks before the tests, in seconds: lint, formatting, types.
check:
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/mypy

# The server with a local admin, two importer tenants, an officer, an analyst and an auditor.
serve:
	scripts/serve.sh
