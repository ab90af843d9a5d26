"""How features combine into one score (the default algorithm ``flscreen-v6``, whose
numbers are an :class:`~flscreen.matching.algorithm.Algorithm`'s tunables).

name score = 0.6 x weighted word overlap + 0.4 x compact spelling similarity,
where the word overlap is the better of the words as written and the query
re-cut at the list name's word boundaries (x0.98), scaled by 0.97 + 0.03 x
literal similarity (an exact copy ranks above a re-spelling; a name whose every
word pairs with the other's stays at the match line if it reached it), capped at 0.5 when
no distinctive word is shared, at 0.76 when only distinctive words are shared and
either name has more, raised to 0.70 (review) when the query is exactly the list
name's distinctive words, scaled by 0.96
when the match runs through pinyin (lossy) and 0.98 when through a reviewed
brand spelling. Qualifiers then apply to the best name pair of an entry: an
equal registration id lifts the score to at least 0.97; two valid but
different USCCs multiply it by 0.6; a country mismatch by 0.85; a person
against an organisation by 0.8 (a query naming a legal form or a trade is an
organisation even when its schema is not given); a query read re-spaced
(its word boundaries moved back, ``name_respaced``) counts x0.98. Words are
compared as tokens and, where normalising rewrote one (a place variant, an
abbreviation, a corrected typo), as written (``Spellings``). flscreen-v1
(before the boundary re-cut, brand rules and inferred schema) is commit 84d918f;
flscreen-v2 (before re-spacing, two-typo blocking, place typos and the CC-CEDICT
glossary) is commit e359b18; flscreen-v3 (before words as written, pinyin first
letters, legal-form guesses and lone brand syllables) is commit 3dc67ec;
flscreen-v4 (before non-words read as misspellings and Chinese words' other spellings:
pinyin, senses, runs cut at everyday words and places) is commit d7d8c78; flscreen-v5
(before short words' misspellings, two-typo legal forms and a misspelt "and") is
commit 71c1ce5. Keep old
versions reproducible: a change to the code here is a new default algorithm name.
"""

from __future__ import annotations

import functools

from rapidfuzz.distance import Indel

from flscreen.matching.algorithm import DEFAULT_ALGORITHM, Algorithm
from flscreen.matching.features import (
    NAME_FEATURES,
    RESEGMENT_FACTOR,
    NamePair,
    Spellings,
    TokenAlignment,
    align_tokens,
    compact_similarity,
    resegmented_alignment,
)
from flscreen.model.matching import Feature
from flscreen.normalize.names import (
    BRAND,
    INDUSTRY,
    LEGAL,
    STOPWORDS,
    NameKey,
    compact_of,
    token_class,
)
from flscreen.normalize.text import clean_text

ALGORITHM = DEFAULT_ALGORITHM.name
"""The default algorithm's name; the saved index is keyed by it (see persist)."""
DEFAULT_THRESHOLD = DEFAULT_ALGORITHM.threshold
"""Hits from here up are matches (the default algorithm's threshold)."""
REVIEW_THRESHOLD = DEFAULT_ALGORITHM.review_threshold
"""Hits from here up to DEFAULT_THRESHOLD are possible matches for a person to review."""

# The default algorithm's tunables under their old names (read by the benchmarks); the
# code reads them from the pair's Algorithm (see flscreen.matching.algorithm).
W_TOKENS = DEFAULT_ALGORITHM.w_tokens
W_COMPACT = DEFAULT_ALGORITHM.w_compact

# Mainland China and its SARs are one jurisdiction for screening: listed
# Chinese companies trade through Hong Kong and Macau entities.
_COUNTRY_GROUPS = {"hk": "cn", "mo": "cn"}


def literal_form(text: str) -> str:
    """A name as written, only cleaned and case-folded: what name_literal compares."""
    return (clean_text(text) or "").casefold()


@functools.lru_cache(maxsize=4096)
def query_spellings(key: NameKey) -> dict[str, tuple[str, ...]]:
    """Token -> the query's words as written that became it (``NameKey.spelled``)."""
    out: dict[str, tuple[str, ...]] = {}
    for tok, word in key.spelled:
        out[tok] = (*out.get(tok, ()), word)
    return out


def _compare_compact(p: NamePair) -> None:
    """Set ``p.compact``: the names' spellings without spaces, and where the alignment
    read the query otherwise (words recovered from its legal forms, a legal form cut off
    by the re-cut), that reading's spelling when closer."""
    p.compact, p.compact_how = compact_similarity(p.query.tokens, p.candidate_tokens)
    if p.compact == 1.0:
        return
    readings: list[tuple[tuple[str, ...], float, str]] = []
    if p.alignment.recovered:
        fuller = (*p.query.tokens, *p.alignment.recovered)
        readings.append((fuller, 1.0, f"with {', '.join(p.alignment.recovered)}"))
    if p.alignment.as_written:
        # the query as its words were compared: where a word met the list's through its
        # other spelling (a Chinese word's pinyin, Jianzhu for 建筑 read construction;
        # a word as written), the same word is the list's word in the compact spelling
        alt = {q: (c if a == b else a) for (q, c), (a, b) in p.alignment.as_written.items()}
        compared = tuple(alt.get(t, t) for t in p.query.tokens)
        if compared != p.query.tokens:
            readings.append((compared, 1.0, "words as compared"))
    if p.alignment.resegmented:
        # a legal form run into the last word ("HKLimited") is cut off by the re-cut
        core = tuple(t for t in p.alignment.pieces if token_class(t) != LEGAL)
        if core != p.query.tokens:
            readings.append((core, RESEGMENT_FACTOR, "re-cut"))
    for tokens, factor, why in readings:
        sim, how = compact_similarity(tokens, p.candidate_tokens)
        if sim * factor > p.compact:
            p.compact, p.compact_how = sim * factor, f"{why}, {how}"
            p.compact_query = compact_of(tokens)


def estimate_name_pair(p: NamePair) -> float:
    """Stage 1 (cheap): align words and compare compact spellings; set and return
    ``p.base``, the name score before the literal-copy factor (at most 3% lower)."""
    spelled = Spellings(query_spellings(p.query), p.candidate_spelled, p.query.legal_guesses)
    sides = (p.query.tokens, p.query_weights, p.candidate_tokens, p.candidate_weights)
    p.alignment = align_tokens(*sides, p.person, spelled)
    if p.alignment.score < 1.0 and len(p.query.tokens) + len(p.candidate_tokens) > 2:
        # boundary errors: the query re-cut along the list name's word boundaries
        recut = resegmented_alignment(*sides, p.person, spelled)
        if recut is not None and recut.score * RESEGMENT_FACTOR > p.alignment.score:
            recut.score *= RESEGMENT_FACTOR
            recut.resegmented = True
            p.alignment = recut
    _compare_compact(p)
    algo = p.algorithm
    base = algo.w_tokens * p.alignment.score + algo.w_compact * p.compact
    if p.compact == 1.0:
        base = max(base, 1.0)
    if p.acronym:
        listed = p.query.tokens[0] in p.candidate_tokens
        base = max(base, algo.listed_acronym_score if listed else algo.acronym_score)
    if p.alignment.candidate_has_brand and not p.alignment.brand_matched and not p.acronym:
        base = min(base, algo.no_distinctive_cap / 0.97)
    if not p.person and not p.acronym:
        p.brand_rule = brand_rule(p.alignment)
        if p.brand_rule == "brand_shared_only" and p.compact < algo.brand_only_spelling:
            base = min(base, algo.brand_only_cap / 0.97)
        elif p.brand_rule == "brand_shared_only":
            p.brand_rule = ""  # the other words differ only in spelling: not another firm
        elif p.brand_rule == "query_is_brand":
            base = min(max(base, algo.brand_alone_score), algo.brand_only_cap) / 0.97
    if p.query.respaced is not None:
        base *= RESEGMENT_FACTOR  # read with its word boundaries moved: not as written
    q_han = p.query.script in ("han", "mixed")
    if q_han != p.candidate_han:
        base *= algo.pinyin_factor
    if p.query.brand_variant is not None:
        base *= algo.brand_factor
    q_num = {t for t in p.query.tokens if t.isdigit()}
    c_num = {t for t in p.candidate_tokens if t.isdigit()}
    if q_num and c_num and q_num != c_num:
        base *= algo.number_factor
    p.base = base
    p.name_score = min(1.0, base * 0.97)
    return base


def brand_rule(a: TokenAlignment) -> str:
    """Which brand rule applies to an alignment of two organisation names, or "".

    "query_is_brand": the query is nothing but the list name's distinctive words
    ("Daqo" for "Xinjiang Daqo New Energy"): worth a review, never proof.
    "brand_shared_only": the names share one or two distinctive words and nothing
    that says what trade they are in, while either has words the other lacks ("Sunrise
    Trading" and "Sunrise Group"): another firm may carry the same brand.
    """
    if not a.brand_matched or not a.pairs:
        return ""
    paired_q = {x for x, _, s in a.pairs if s > 0}
    # what the shared words are is read on the list's side: a query word cut out of a
    # brand ("gold" of Goldenix, joined back to pair) is no trade word in common
    classes = {token_class(y) for _, y, s in a.pairs if s > 0}
    strong = all(s >= 0.85 for _, _, s in a.pairs)
    if (
        not a.query_only
        and strong
        and a.candidate_only
        and all(token_class(x) == BRAND for x in paired_q)
    ):
        return "query_is_brand"
    extra = [
        t
        for t in (*a.query_only, *a.candidate_only)
        if t not in STOPWORDS and token_class(t) != LEGAL
    ]
    brands = sum(1 for x, _, s in a.pairs if s > 0 and token_class(x) == BRAND)
    if extra and INDUSTRY not in classes and brands <= 2:
        return "brand_shared_only"
    return ""


def explain_name_pair(p: NamePair, literal_query: str | None = None) -> NamePair:
    """Stage 2: the literal-copy factor, the final name score and the features."""
    if literal_query is None:
        literal_query = literal_form(p.query.original)
    p.literal = float(
        Indel.normalized_similarity(literal_query, literal_form(p.candidate_original))
    )
    score = p.base * (0.97 + 0.03 * p.literal)
    a = p.alignment
    line = p.algorithm.threshold
    if p.base >= line and not a.query_only and not a.candidate_only:
        # the factor ranks an exact copy above a re-spelling; it never takes a name
        # whose every word pairs with the other's, at the match line, under that line
        score = max(score, line)
    p.name_score = min(1.0, score)
    p.features = [f for f in (feat(p) for feat in NAME_FEATURES) if f is not None]
    return p


def score_name_pair(p: NamePair, literal_query: str | None = None) -> NamePair:
    """Both stages: a fully scored and explained name pair."""
    estimate_name_pair(p)
    return explain_name_pair(p, literal_query)


def country_code(value: str | None) -> str | None:
    """ISO-like code of a country name or code (China, PRC, 中国, CN -> cn), else None."""
    if not value or not value.strip():
        return None
    return _country_code(value.strip())


@functools.lru_cache(maxsize=4096)
def _country_code(value: str) -> str | None:
    from rigour.territories import lookup_territory  # 0.1 s of imports: only when asked

    territory = lookup_territory(value)
    if territory is None:
        return None
    code = str(territory.code)
    return _COUNTRY_GROUPS.get(code, code)


def valid_uscc(value: str | None) -> str | None:
    """The normalised USCC when ``value`` is a valid unified social credit code, else None."""
    if not value:
        return None
    from rigour.ids import USCC  # imported on first use: most names carry no id

    try:
        if USCC.is_valid(value):
            out = USCC.normalize(value)
            return str(out) if out else None
    except (ValueError, TypeError):
        return None
    return None


def apply_qualifiers(
    score: float,
    query_ids: tuple[str, ...],
    query_uscc: str | None,
    entry_ids: tuple[str, ...],
    entry_usccs: tuple[str, ...],
    query_country: str | None,
    entry_countries: tuple[str, ...],
    query_person: bool | None,
    entry_person: bool,
    algo: Algorithm = DEFAULT_ALGORITHM,
) -> tuple[float, list[Feature]]:
    """Adjust a name score with identifier, country and schema evidence."""
    features: list[Feature] = []
    shared = sorted(set(query_ids) & set(entry_ids))
    if shared:
        features.append(
            Feature("identifier_match", 1.0, f"registration id {shared[0]} is the entry's own")
        )
        score = max(score, algo.id_match_floor)
    elif query_uscc and entry_usccs:
        features.append(
            Feature(
                "identifier_conflict",
                0.0,
                f"valid USCC {query_uscc} differs from the entry's {', '.join(entry_usccs)}",
            )
        )
        score *= algo.id_conflict_factor
    if query_country and entry_countries and query_country not in entry_countries:
        features.append(
            Feature(
                "country_mismatch",
                0.0,
                f"query country {query_country} is not the entry's ({', '.join(entry_countries)})",
            )
        )
        score *= algo.country_factor
    if query_person is not None and query_person != entry_person:
        features.append(
            Feature(
                "schema_mismatch",
                0.0,
                "a person against an organisation"
                if query_person
                else "an organisation against a person",
            )
        )
        score *= algo.schema_factor
    return score, features
