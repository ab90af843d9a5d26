"""Matching algorithms as objects: a second one stands beside the default over the same
index, with its own tunables and thresholds (issue 15)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from flscreen.errors import InvalidInput
from flscreen.matching import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    Algorithm,
    Matcher,
    Query,
    get_algorithm,
    register,
)
from flscreen.matching.algorithm import TUNABLES, load_algorithms

WORDS_ONLY = Algorithm(
    name="test-words-only",
    description="word overlap alone, a stricter line (a test's second algorithm)",
    w_tokens=1.0,
    w_compact=0.0,
    threshold=0.9,
    review_threshold=0.7,
)


def test_a_second_algorithm_scores_over_the_same_index(matcher: Matcher) -> None:
    other = matcher.with_algorithm(WORDS_ONLY)
    assert other.index is matcher.index and matcher.algorithm is DEFAULT_ALGORITHM
    query = Query(id="q", name="Hoshien Silicon Industry Shanshan Co")  # a typo
    default = matcher.match(query)
    words = other.match(query)
    assert default.algorithm == DEFAULT_ALGORITHM.name and words.algorithm == WORDS_ONLY.name
    assert words.threshold == 0.9 and words.review_threshold == 0.7
    top_default = next(h for h in default.hits if h.entry_id == "hoshine-shanshan")
    top_words = next(h for h in words.hits if h.entry_id == "hoshine-shanshan")
    # the words-only score is the word overlap itself, not 0.6 of it and 0.4 of the
    # compact spelling
    assert top_words.score != top_default.score
    # the default matcher is unchanged by the other one's use
    assert matcher.match(query).hits[0].score == top_default.score


def test_the_algorithms_threshold_draws_the_match_line(matcher: Matcher) -> None:
    strict = dataclasses.replace(DEFAULT_ALGORITHM, name="test-strict", threshold=0.99)
    query = Query(id="q", name="Xinjiang Zhongtia Chemical Co")  # a typo: under 0.99
    assert matcher.match(query).match
    result = matcher.with_algorithm(strict).match(query)
    assert not result.match and result.hits and result.hits[0].score < 0.99


def test_tunables_are_checked_and_documented() -> None:
    with pytest.raises(ValueError, match="w_tokens \\+ w_compact"):
        Algorithm(name="bad", description="", w_tokens=0.7, w_compact=0.7)
    with pytest.raises(ValueError, match="thresholds"):
        Algorithm(name="bad", description="", threshold=0.5, review_threshold=0.6)
    config = DEFAULT_ALGORITHM.config()
    tunables = {f.name for f in dataclasses.fields(Algorithm)} - {"name", "description"}
    assert set(config) == tunables == set(TUNABLES)
    assert config["threshold"]["value"] == 0.80 and config["w_tokens"]["description"]


def test_register_offers_an_algorithm_by_name() -> None:
    try:
        assert register(WORDS_ONLY) is WORDS_ONLY
        assert get_algorithm("test-words-only") is WORDS_ONLY
        assert register(WORDS_ONLY) is WORDS_ONLY  # the same one again: fine
        with pytest.raises(ValueError, match="already registered"):
            register(dataclasses.replace(WORDS_ONLY, threshold=0.95))
    finally:
        ALGORITHMS.pop("test-words-only", None)
    assert get_algorithm("best") is DEFAULT_ALGORITHM is get_algorithm(None)
    with pytest.raises(KeyError, match="unknown algorithm 'nope'"):
        get_algorithm("nope")


def test_algorithms_load_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "algorithms.yml"
    path.write_text(
        "- name: customs-strict\n"
        "  description: the customs desk's line\n"
        "  threshold: 0.9\n"
        "  review_threshold: 0.7\n"
        "- name: customs-strict-words\n"
        "  like: customs-strict\n"
        "  w_tokens: 1\n"
        "  w_compact: 0\n",
        encoding="utf-8",
    )
    strict, words = load_algorithms(path)
    assert (strict.threshold, strict.review_threshold, strict.w_tokens) == (0.9, 0.7, 0.6)
    assert (words.threshold, words.w_tokens, words.w_compact) == (0.9, 1.0, 0.0)
    assert words.description == "customs-strict with other tunables"


def test_a_bad_algorithms_file_names_file_item_and_field(tmp_path: Path) -> None:
    path = tmp_path / "algorithms.yml"
    path.write_text(
        "- name: ok\n  threshold: 0.85\n"
        "- name: typo\n  treshold: 0.9\n"
        "- name: words\n  threshold: high\n"
        "- name: unbalanced\n  w_tokens: 0.9\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as caught:
        load_algorithms(path)
    text = str(caught.value)
    assert f"{path}, row 2: unknown tunable(s) treshold" in text
    assert f"{path}, row 3: threshold must be a number, not 'high'" in text
    assert f"{path}, row 4: algorithm 'unbalanced': w_tokens + w_compact must be 1" in text
    assert "row 1" not in text


def test_serve_refuses_a_bad_algorithms_file_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from flscreen.cli.main import app

    bad = tmp_path / "algorithms.yml"
    bad.write_text("- name: x\n  threshold: 2\n", encoding="utf-8")
    monkeypatch.setenv("FLSCREEN_ALGORITHMS", str(bad))
    monkeypatch.setenv("FLSCREEN_HOME", str(tmp_path))
    done = CliRunner().invoke(app, ["serve", "--db-url", f"sqlite:///{tmp_path / 'f.db'}"])
    assert done.exit_code != 0
    assert str(bad) in done.output and "thresholds must satisfy" in done.output
    assert "Traceback" not in done.output
