"""A throwaway PostgreSQL server for the test session.

Debian's postgresql binaries, a data folder under a temp dir, a free port on
127.0.0.1. initdb refuses to run as root, so as root the server runs as the
existing ``postgres`` user (that is how CI runs).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def find_pg_bindir() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as(user: str | None, args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a server binary, as ``user`` when given (initdb and postgres refuse root)."""
    if user is None:
        return subprocess.run(args, check=True, capture_output=True, text=True)
    pw = pwd.getpwnam(user)

    def demote() -> None:
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)

    return subprocess.run(args, check=True, capture_output=True, text=True, preexec_fn=demote)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Yield a SQLAlchemy URL for a fresh server; stop and delete it afterwards."""
    bindir = find_pg_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    user = "postgres" if os.geteuid() == 0 else None
    tmp = Path(tempfile.mkdtemp(prefix="flscreen-pg-"))
    data = tmp / "data"
    sockdir = tmp / "sock"
    sockdir.mkdir()
    if user is not None:
        pw = pwd.getpwnam(user)
        for path in (tmp, sockdir):
            os.chown(path, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    db_user = user or pwd.getpwuid(os.geteuid()).pw_name
    _run_as(
        user,
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            db_user,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
    )
    _run_as(
        user,
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(tmp / "log"),
            "-w",
            "-o",
            f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
            "start",
        ],
    )
    try:
        yield f"postgresql+psycopg://{db_user}@127.0.0.1:{port}/postgres"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            _run_as(user, [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        time.sleep(0.1)
        shutil.rmtree(tmp, ignore_errors=True)
