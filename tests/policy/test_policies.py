"""Bundled policies load; a broken policy is refused with every problem listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from flscreen.errors import InvalidInput
from flscreen.policy import bundled_policies, load_policy


def test_bundled_policies_have_name_and_version() -> None:
    names = bundled_policies()
    assert names == ["eu-flr", "uflpa", "uk-proposed"]
    for name in names:
        policy = load_policy(name)
        assert policy.name == name
        assert policy.version
        assert policy.legal_basis


@pytest.mark.parametrize(
    ("hs_code", "sector"),
    [
        ("5201.00", "cotton and cotton products"),  # raw cotton
        ("520942", "cotton and cotton products"),  # denim, dots dropped
        ("6109.10.0012", "apparel and made-up textiles"),  # cotton T-shirts
        ("6302.60", "apparel and made-up textiles"),  # terry towels (ch. 63)
        ("2804.61.00", "polysilicon and solar"),
        ("8541.43.0010", "polysilicon and solar"),  # modules
        ("8541.10", None),  # diodes share the heading but are not solar
        ("2002.90", "tomatoes and tomato products"),  # paste
        ("2103.20", "tomatoes and tomato products"),  # ketchup
        ("2103.90", None),  # other sauces: same heading, not tomato
        ("3904.10", "polyvinyl chloride (PVC)"),
        ("7604.29", "aluminium"),
        ("6704.20", "hair products"),  # wigs of human hair
        ("8703.80", None),  # cars
    ],
)
def test_uflpa_priority_sectors_by_hs(hs_code: str, sector: str | None) -> None:
    found = load_policy("uflpa").sector_of(hs_code)
    assert (found.name if found else None) == sector


def test_policy_copied_and_passed_by_path(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "src/flscreen/policy/policies/uflpa.yml").read_text()
    mine = tmp_path / "acme.yml"
    mine.write_text(text.replace("name: uflpa", "name: acme-uflpa"), encoding="utf-8")
    policy = load_policy(str(mine))
    assert policy.name == "acme-uflpa"
    assert policy.sources.region is not None


def test_invalid_policy_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        """
name: My Policy
version: ""
title: t
jurisdiction: US
status: in_force
legal_basis: [x]
approach: risk_based
sources:
  region: {outcome: ban}
  lists:
    - {label: L, lists: [], outcome: detain}
routing: {gap: exclude, possible_match: review}
thresholds: {min_share: 2}
priority_sectors:
  - {name: cotton, hs: ["52x1"], source: s}
colour: blue
""",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as info:
        load_policy(str(bad))
    problems = {(p.field, p.source) for p in info.value.problems}
    fields = {f for f, _ in problems}
    # every independent problem is reported at once, each naming its field
    assert {
        "name",
        "version",
        "sources.region.outcome",
        "sources.lists.0.lists",
        "routing",
        "thresholds.min_share",
        "priority_sectors.0.hs",
        "colour",
    } <= fields
    assert all(src == str(bad) for _, src in problems)
    assert "52x1" in info.value.render()


def test_risk_based_needs_risk_section(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "src/flscreen/policy/policies/eu-flr.yml").read_text()
    cut = text.split("risk:\n")[0] + "priority_sectors: []\n"
    path = tmp_path / "eu.yml"
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(InvalidInput, match="risk"):
        load_policy(str(path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: [unclosed", "not valid YAML"),
        ("- a\n- b\n", "must be a YAML mapping"),
    ],
)
def test_unreadable_policy(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "p.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_policy(str(path))


def test_unknown_policy_names_the_bundled_ones() -> None:
    with pytest.raises(InvalidInput, match=r"eu-flr, uflpa, uk-proposed"):
        load_policy("cbp")
    with pytest.raises(InvalidInput, match="not found"):
        load_policy("missing.yml")
