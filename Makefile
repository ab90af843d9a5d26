# The README's two commands: `make demo` and `make test`.
.PHONY: setup demo test lint bench

setup:
	scripts/setup.sh

demo:
	scripts/demo.sh

test:
	scripts/test.sh

lint:
	.venv/bin/ruff check src tests bench && .venv/bin/mypy
