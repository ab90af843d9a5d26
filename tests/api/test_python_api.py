"""The Python API example in docs/api.md runs as written, on each backend, as it claims."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def readme_example() -> str:
    text = API_DOC.read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "docs/api.md's Python API section has no python block"
    return match.group(1)


def test_readme_example_runs(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = readme_example()
    assert '"sqlite:///flscreen-demo.db"' in code
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(
            compile(
                code.replace('"sqlite:///flscreen-demo.db"', repr(db_url)), "docs/api.md", "exec"
            ),
            {},
        )
    lines = out.getvalue().splitlines()
    # The Chinese name is found on the own list, with its version.
    assert lines[0].startswith("True my-watchlist 1 Xinjiang Zhongtai Chemical")
    assert any(line.startswith("elsewhere") for line in lines)
    assert any(line.startswith("detain") and "list_entity_upstream" in line for line in lines)
    assert lines[-1] == "audit log intact: True"


def test_import_flscreen_stays_light() -> None:
    """The facade loads nothing heavy until an entry point is used."""
    probe = (
        "import sys, flscreen; "
        "heavy = [m for m in ('fastapi', 'sqlalchemy', 'rapidfuzz', 'flscreen.matching') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    import flscreen

    assert set(flscreen.__all__) <= set(dir(flscreen))
    for name in flscreen.__all__:
        assert getattr(flscreen, name) is not None, name
    with pytest.raises(AttributeError):
        _ = flscreen.no_such_thing  # type: ignore[attr-defined]
