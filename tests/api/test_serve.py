"""`flscreen serve` starts a real server: /healthz answers and the analyst page renders."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.compat.live import stop


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_healthz_and_the_page(cli_env: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, **cli_env}
    exe = Path(sys.executable).with_name("flscreen")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "flscreen.cli.main"]
    proc = subprocess.Popen(
        [*cmd, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise AssertionError(f"flscreen serve exited early:\n{out}")
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert health is not None, "server did not come up within 60 s"
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert health.json()["store"] == cli_env["FLSCREEN_DB_URL"].split(":")[0].replace(
            "postgresql+psycopg", "postgresql"
        )
        # Nobody is signed in: the pages send the browser to the sign-in form, the API
        # answers 401 with a reason.
        page = httpx.get(f"{base}/ui/", timeout=10)
        assert page.status_code == 303 and page.headers["location"].startswith("/ui/login")
        login = httpx.get(f"{base}/", timeout=10, follow_redirects=True)
        assert login.status_code == 200 and "Sign in" in login.text
        refused = httpx.get(f"{base}/shipments", timeout=10)
        assert refused.status_code == 401 and "sign in" in refused.json()["message"]
        openapi = httpx.get(f"{base}/openapi.json", timeout=10).json()
        assert {"/match", "/locate", "/lists/{name}/import", "/screen"} <= set(openapi["paths"])
    finally:
        stop(proc)
