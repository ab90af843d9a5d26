"""Find and validate policy files: bundled by name, or a user's YAML by path."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from flscreen.errors import InvalidInput, Problem
from flscreen.policy.schema import Policy

BUNDLED_DIR = "policies"


def bundled_policies() -> list[str]:
    """Names of the policies shipped with flscreen, sorted."""
    folder = resources.files("flscreen.policy").joinpath(BUNDLED_DIR)
    return sorted(p.name[: -len(".yml")] for p in folder.iterdir() if p.name.endswith(".yml"))


def _problems_from_validation(exc: ValidationError, source: str) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"]) or None
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling against docs/policies.md)"
        elif err["type"] == "literal_error":
            msg = f"{msg}, got {err.get('input')!r}"
        problems.append(Problem(source=source, message=msg, field=loc))
    return problems


def parse_policy(text: str, source: str) -> Policy:
    """Validate policy YAML; raise InvalidInput listing every problem found."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput([Problem(source, f"not valid YAML: {reason}", row=row)]) from None
    if not isinstance(data, dict):
        raise InvalidInput([Problem(source, "a policy file must be a YAML mapping")])
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_problems_from_validation(exc, source)) from None


@cache
def _bundled(name: str) -> Policy:
    res = resources.files("flscreen.policy").joinpath(BUNDLED_DIR, f"{name}.yml")
    return parse_policy(res.read_text(encoding="utf-8"), f"{name}.yml")


def load_policy(name_or_path: str) -> Policy:
    """A bundled policy by name ('uflpa', 'eu-flr', 'uk-proposed') or a YAML file by path."""
    path = Path(name_or_path)
    if name_or_path.endswith((".yml", ".yaml")) or path.exists():
        if not path.is_file():
            raise InvalidInput(f"policy file not found: {name_or_path}", source=name_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("policy file is not UTF-8 text", source=name_or_path) from None
        return parse_policy(text, name_or_path)
    names = bundled_policies()
    if name_or_path not in names:
        raise InvalidInput(
            f"unknown policy {name_or_path!r}: bundled policies are {', '.join(names)}; "
            "or give the path of a policy YAML file",
            source=name_or_path,
        )
    return _bundled(name_or_path)
