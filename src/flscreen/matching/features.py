"""Explainable features: each compares a query with a candidate and says why.

A feature is a small function ``(pair) -> Feature | None`` whose docstring is the
sentence an analyst reads. Name features score a pair of names; qualifiers
(identifier, country, schema) adjust a score only after the names scored
(nomenklatura's logic, see ``scoring.py`` for how they combine).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA, Indel, Levenshtein

from flscreen.matching.algorithm import DEFAULT_ALGORITHM, Algorithm
from flscreen.model.matching import Feature
from flscreen.normalize.names import (
    BRAND,
    CLASS_WEIGHTS,
    LEGAL,
    PLACE,
    NameKey,
    compact_of,
    is_pinyin,
    is_word,
    read_spelled,
    token_class,
)

FUZZY_TOKEN_MIN = 0.8
"""Two different tokens count as the same word only from this similarity up."""
LONG_WORD = 8
"""Words from this length up may carry two typos (a swap and a dropped letter) and
still count as the same word."""
PINYIN_FIRST_LETTER = 0.7
"""A company's pinyin word against another, one first letter apart (Hongtai, Zhongtai):
maybe a typo, maybe another brand; little enough that the rest of the name decides."""
SHORT_PINYIN = 0.75
"""A 4-letter pinyin word in a company's name against one a letter longer (Hufu, Huafu):
as little, for the same reason; never in people's names (Chan is not Chang)."""
SHORT_MISSPELLING = 0.8
"""A word of 3-4 letters one typo from another where the typo left a non-word (Fod for
Food, Irna for Iran, Dqo for Daqo), in a company's name: that word misspelt."""
RESEGMENT_FACTOR = 0.98
"""Words re-cut along the list name's word boundaries count a little less than words
as written, so an exact copy still ranks above a re-spaced one."""


@dataclass(slots=True)
class Spellings:
    """The words as written behind two names' tokens, where a token rewrote one.

    Normalising folds a place variant, an abbreviation, a plural or a corrected typo
    into one token (Hetian -> hotan, Industry -> ind), in each name on its own. A typo
    of the word as written ("Hepian", "Nidutry") is then compared with that word, not
    with the token it was folded to. The candidate's words are read (from the index's
    ``row_spelled`` text) only when a pair needs them.
    """

    query: Mapping[str, tuple[str, ...]]
    candidate_text: str = ""
    legal_guesses: tuple[str, ...] = ()
    """The query's words read as misspelt legal forms (NameKey.legal_guesses)."""
    used: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """(query token, list token) -> the words as written that were compared instead."""
    _candidate: Mapping[str, tuple[str, ...]] | None = None

    def of_query(self, token: str) -> tuple[str, ...]:
        return self.query.get(token, ())

    def of_candidate(self, token: str) -> tuple[str, ...]:
        if not self.candidate_text:
            return ()
        if self._candidate is None:
            self._candidate = read_spelled(self.candidate_text)
        return self._candidate.get(token, ())


@dataclass(slots=True)
class TokenAlignment:
    """How the tokens of two names pair up."""

    pairs: list[tuple[str, str, float]] = field(default_factory=list)
    """(query token, candidate token, similarity) for every aligned pair."""
    query_only: list[str] = field(default_factory=list)
    candidate_only: list[str] = field(default_factory=list)
    score: float = 0.0
    brand_matched: bool = False
    candidate_has_brand: bool = False
    resegmented: bool = False
    """The query's words were re-cut along the list name's boundaries (see resegment)."""
    pieces: tuple[str, ...] = ()
    """The re-cut query words, when re-cut."""
    recovered: list[str] = field(default_factory=list)
    """Query words read as misspelt legal forms that pair with a list word instead."""
    as_written: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """Pairs compared through the words as written (see Spellings), for the explanation."""


def token_similarity(a: str, b: str, person: bool = False) -> float:
    """How far two different words count as the same word, 0..1.

    One typo (edit, swap, missing or extra letter) in a word of 5+ letters counts
    0.9; a missing or extra letter in a 4-letter word 0.8 (Coor/Color); two typos in
    a word of 8+ letters 0.8; a dropped or swapped first letter in 5+ letters 0.85, a
    mistyped one in 6+ letters 0.8 (not in people's names); a word that is no place
    one typo from a place 0.85 in company names (Huan for Hunan); else the Indel
    ratio from 0.8 up. Pinyin is read as names: valid pinyin on both sides may be
    other characters, so one typo counts 0.85 in company names and 0.8 in people's
    (Mingjing may be another person than Mingming), a first letter apart 0.7 in
    company names (Hongtai may be another brand than Zhongtai: the rest of the name
    decides) and nothing in people's (Xiang is not Exiang), unless one is a place
    (eijing is Beijing); a 4-letter pinyin word against one a letter longer 0.75 in
    company names, never in people's (Chan is not Chang). A word that is no pinyin
    against one that is cannot be another Chinese name: it is that name misspelt, so
    a dropped or mistyped first letter counts from 4-5 letters, in people's names too
    ("uiqin" for Guiqin); in company names so does a word that reads as no word at all
    (neither English nor pinyin: "Oryo" for Koryo), while two real words stay apart
    (Park, Spark).
    """
    if a == b:
        return 1.0
    if a.isdigit() or b.isdigit():
        return 0.0
    shortest = min(len(a), len(b))
    if not person and shortest >= 4 and _place_typo(a, b):
        return 0.85
    if a[0] != b[0]:
        return _first_letter_similarity(a, b, shortest, person)
    if shortest < 4:
        return _short_misspelling(a, b, person)
    both_pinyin = is_pinyin(a) and is_pinyin(b)
    if shortest == 4:
        if OSA.distance(a, b, score_cutoff=1) > 1:
            return 0.0
        if len(a) == len(b):
            return _short_misspelling(a, b, person)
        if both_pinyin:
            return 0.0 if person else SHORT_PINYIN
        return 0.8
    if OSA.distance(a, b, score_cutoff=1) <= 1:
        if both_pinyin:
            return 0.8 if person else 0.85
        return 0.9
    two_edits = _two_typos(a, b)
    if both_pinyin:
        # two typos in a long pinyin word (zhongtai -> zhnogta): still that word, in a
        # company's name; a person's name two letters off is another person's
        return 0.8 if two_edits and not person else 0.0
    sim = Indel.normalized_similarity(a, b, score_cutoff=FUZZY_TOKEN_MIN)
    if two_edits:
        return max(0.8, float(sim))
    return float(sim) if sim >= FUZZY_TOKEN_MIN else 0.0


def _place_typo(a: str, b: str) -> bool:
    """Places are a closed list: a word that is none, one typo from one, is that place
    (Huan, Ebei, Nahui for Hunan, Hebei, Anhui), pinyin or not."""
    if (token_class(a) == PLACE) == (token_class(b) == PLACE):
        return False
    return a[1:] == b or b[1:] == a or OSA.distance(a, b, score_cutoff=1) <= 1


def _two_typos(a: str, b: str) -> bool:
    """Two typos apart, and long enough to carry them: LONG_WORD letters (see
    _long_pair), or 7 where one of the two is a non-word (Tjnwei for Tianwei: no word
    or name is spelt so, so it is a misspelling; two real 7-letter words two letters
    apart may be two names)."""
    if not _long_pair(a, b):
        if max(len(a), len(b)) < LONG_WORD - 1 or min(len(a), len(b)) < LONG_WORD - 2:
            return False
        if _word_kind(a) and _word_kind(b):
            return False
    return OSA.distance(a, b, score_cutoff=2) <= 2


def _long_pair(a: str, b: str) -> bool:
    """One word has LONG_WORD letters or more and the other at most one fewer (a long
    word that lost a letter to a typo is still long)."""
    return max(len(a), len(b)) >= LONG_WORD and min(len(a), len(b)) >= LONG_WORD - 1


def _short_misspelling(a: str, b: str, person: bool) -> float:
    """Words of 3-4 letters one typo apart: SHORT_MISSPELLING where the typo can only be
    a typo, else nothing. Two real words (English or pinyin) stay apart: they may be two
    names (Wood, Food; Guo, Gou). Two letters swapped, the commonest typing error, reads
    as that word from 4 letters (Godl, Jogn, Irna); a non-word beside the word it
    misspells does at any length (Fod, Wsei, Kijm; Kukich's non-word errors), and so
    does an English word against a pinyin syllable in a person's name (Wag, Goa for
    Wang, Gao). Of two
    non-words (acronyms, Korean syllables) only a company's word with a letter missing
    or added pairs (Dqo, Daqo); a changed letter is another code (SDIC, SRIC; CEC, CCE)
    or another name (Hwan, Hqan)."""
    if min(len(a), len(b)) < 3 or OSA.distance(a, b, score_cutoff=1) > 1:
        return 0.0
    a_kind, b_kind = _word_kind(a), _word_kind(b)
    if a_kind and b_kind and (a_kind == b_kind or not person):
        return 0.0
    if len(a) == len(b) >= 4 and sorted(a) == sorted(b):
        return SHORT_MISSPELLING
    if a_kind or b_kind:
        # one is a word and the other not; or, in a person's name, a pinyin syllable
        # against an English word, which is no Chinese name (Wag, Dog for Wang, Dong)
        return SHORT_MISSPELLING
    return SHORT_MISSPELLING if not person and len(a) != len(b) else 0.0


def _word_kind(word: str) -> str:
    """ "pinyin", "english" or "" (a non-word) for one lower-case word."""
    if is_pinyin(word):
        return "pinyin"
    return "english" if is_word(word) else ""


def _first_letter_similarity(a: str, b: str, shortest: int, person: bool) -> float:
    """token_similarity for words whose first letters differ (see there)."""
    if shortest < 2:
        return 0.0
    dropped = a[1:] == b or b[1:] == a
    swapped = len(a) == len(b) and a[1] == b[0] and a[0] == b[1] and a[2:] == b[2:]
    if shortest < 4 or (shortest == 4 and len(a) == len(b)):
        # a short word's first letter dropped, swapped or mistyped (Dair, Usn, Fank)
        retyped = len(a) == len(b) and a[1:] == b[1:]
        return _short_misspelling(a, b, person) if dropped or swapped or retyped else 0.0
    a_pinyin, b_pinyin = is_pinyin(a), is_pinyin(b)
    if a_pinyin and b_pinyin:
        # Two readable pinyin words a first letter apart may be two names (Hongtai and
        # Zhongtai, Xiang and Exiang): in a company's name a little weight, so the other
        # words decide; a place keeps its identity without its first letter ("eijing" is
        # no other place than Beijing)
        if not dropped or shortest < 5 or person:
            return 0.0
        places = token_class(a) == PLACE or token_class(b) == PLACE
        return 0.85 if places else PINYIN_FIRST_LETTER
    # A word that is no pinyin against one that is cannot be another Chinese name: it is
    # that name misspelt ("uiqin" for Guiqin, "Kiuhe" for Liuhe), even when short. In a
    # company's name, a word that reads as no word at all (no English, no pinyin) is a
    # misspelling too ("Oryo" for Koryo, "Nergy" for Energy), while two real words a
    # first letter apart may be two names (Park, Spark). Not in people's names: names
    # romanised from Korean or Russian read as no word either (Song-hyok, Tong-hyok).
    if shortest >= 5 and swapped:
        return 0.8 if person else 0.85  # the first two letters swapped
    retyped = a[1:] == b[1:]
    long_typos = _two_typos(a, b)
    if not (dropped or retyped or long_typos):
        return 0.0  # no rule below can apply: the English word list is not asked for
    misspelt = a_pinyin != b_pinyin or (not person and not (is_word(a) and is_word(b)))
    if dropped and shortest >= (4 if misspelt else 6 if person else 5):
        return 0.8 if person else 0.85  # the first letter dropped
    if retyped and shortest >= (5 if misspelt else 6) and (misspelt or not person):
        return 0.8  # the first letter mistyped (Yianjin for Tianjin); in people's names
        # only when the result reads as no name
    if long_typos and (misspelt or not person):
        return 0.8  # two typos in a long word, one at its start ("ecnhology" for technology)
    return 0.0


def align_tokens(
    q: tuple[str, ...],
    qw: list[float],
    c: tuple[str, ...],
    cw: list[float],
    person: bool = False,
    spelled: Spellings | None = None,
) -> TokenAlignment:
    """Pair tokens exactly, then as joined neighbours ("zhong tai" = "zhongtai"),
    then by spelling similarity (of the tokens, or of the words as written where a
    token rewrote one: see :class:`Spellings`); score = matched weight / all weight
    (order-free)."""
    out = TokenAlignment()
    if q == c:
        # the common case for true matches: every word pairs with itself
        out.pairs = [(t, t, 1.0) for t in q]
        out.score = 1.0 if sum(qw) > 0 else 0.0
        out.candidate_has_brand = any(token_class(t) == BRAND for t in c)
        out.brand_matched = out.candidate_has_brand
        return out
    q_left = list(range(len(q)))
    c_left = list(range(len(c)))
    matched: list[tuple[int, int, float]] = []
    # 1. exact
    c_pos: dict[str, list[int]] = {}
    for j in c_left:
        c_pos.setdefault(c[j], []).append(j)
    rest_q: list[int] = []
    for i in q_left:
        js = c_pos.get(q[i])
        if js:
            matched.append((i, js.pop(0), 1.0))
        else:
            rest_q.append(i)
    used_c = {j for _, j, _ in matched}
    rest_c = [j for j in c_left if j not in used_c]
    extra_q: dict[int, float] = {}
    extra_c: dict[int, float] = {}
    # 2. adjacent tokens joined on one side equal one token on the other
    if rest_q and rest_c:
        _pair_joined(q, c, qw, cw, rest_q, rest_c, matched, extra_q, extra_c)
    # 3. spelling similarity, best pairs first
    if rest_q and rest_c:
        rest_q, rest_c = _pair_similar(q, c, rest_q, rest_c, matched, person, spelled)
    m = d = 0.0
    # 4. words the query's reading set aside as misspelt legal forms, against the list
    # name's words still unpaired ("Cooperatizn" for its Cooperation, not cooperative)
    if rest_c and spelled is not None and spelled.legal_guesses:
        for word in spelled.legal_guesses:
            sim, j = max(
                ((_spelled_similarity(word, (), c[j], spelled, person), j) for j in rest_c),
                default=(0.0, -1),
            )
            if sim > 0:
                rest_c.remove(j)
                m += cw[j] * sim
                d += cw[j] * (1 - sim)
                out.pairs.append((word, c[j], sim))
                out.recovered.append(word)
                out.brand_matched |= token_class(c[j]) == BRAND
                if not rest_c:
                    break
    for i, j, sim in matched:
        wq = qw[i] + extra_q.get(i + 1, 0.0)
        wc = cw[j] + extra_c.get(j + 1, 0.0)
        w = (wq + wc) / 2
        m += w * sim
        d += w * (1 - sim)
        out.pairs.append((q[i], c[j], sim))
        if token_class(c[j]) == BRAND or token_class(q[i]) == BRAND:
            out.brand_matched = True
    for i in rest_q:
        d += qw[i]
        out.query_only.append(q[i])
    for j in rest_c:
        d += cw[j]
        out.candidate_only.append(c[j])
    out.candidate_has_brand = any(token_class(t) == BRAND for t in c)
    out.score = m / (m + d) if (m + d) > 0 else 0.0
    if spelled is not None and spelled.used:
        out.as_written = {
            k: v for k, v in spelled.used.items() if k[:2] in {p[:2] for p in out.pairs}
        }
    return out


def _pair_joined(
    q: tuple[str, ...],
    c: tuple[str, ...],
    qw: list[float],
    cw: list[float],
    rest_q: list[int],
    rest_c: list[int],
    matched: list[tuple[int, int, float]],
    extra_q: dict[int, float],
    extra_c: dict[int, float],
) -> None:
    """Pair two neighbouring tokens on one side with their join on the other
    ("zhong tai" = "zhongtai"); the second token's weight rides on the pair."""
    for side_a, side_b, a_idx, b_idx, flip in (
        (q, c, rest_q, rest_c, False),
        (c, q, rest_c, rest_q, True),
    ):
        a_set = set(a_idx)
        for k in list(a_idx):
            if k + 1 in a_set and k in a_set:
                joined = side_a[k] + side_a[k + 1]
                for bj in list(b_idx):
                    if side_b[bj] == joined:
                        a_set.discard(k)
                        a_set.discard(k + 1)
                        b_idx.remove(bj)
                        a_idx.remove(k)
                        a_idx.remove(k + 1)
                        if flip:
                            matched.append((bj, k, 1.0))
                            extra_c[k + 1] = cw[k + 1]
                        else:
                            matched.append((k, bj, 1.0))
                            extra_q[k + 1] = qw[k + 1]
                        break


def _spelled_similarity(
    q_token: str,
    q_forms: tuple[str, ...],
    c_token: str,
    spelled: Spellings | None,
    person: bool,
) -> float:
    """token_similarity of two tokens, or of the words as written behind them when
    that is higher (see :class:`Spellings`)."""
    sim = token_similarity(q_token, c_token, person)
    if sim < 1.0 and spelled is not None:
        for a, b in itertools.product(
            (q_token, *q_forms), (c_token, *spelled.of_candidate(c_token))
        ):
            if a != q_token or b != c_token:
                other = token_similarity(a, b, person)
                if other > sim:
                    sim = other
                    spelled.used[(q_token, c_token)] = (a, b)
    return sim


def _pair_similar(
    q: tuple[str, ...],
    c: tuple[str, ...],
    rest_q: list[int],
    rest_c: list[int],
    matched: list[tuple[int, int, float]],
    person: bool,
    spelled: Spellings | None = None,
) -> tuple[list[int], list[int]]:
    """Pair the remaining tokens by spelling similarity, best pairs first; the
    tokens still unpaired."""
    cands: list[tuple[float, int, int]] = []
    for i in rest_q:
        q_forms = spelled.of_query(q[i]) if spelled is not None else ()
        for j in rest_c:
            sim = _spelled_similarity(q[i], q_forms, c[j], spelled, person)
            if sim > 0:
                cands.append((sim, i, j))
    cands.sort(reverse=True)
    done_q: set[int] = set()
    done_c: set[int] = set()
    for sim, i, j in cands:
        if i in done_q or j in done_c:
            continue
        done_q.add(i)
        done_c.add(j)
        matched.append((i, j, sim))
    rest_q = [i for i in rest_q if i not in done_q]
    rest_c = [j for j in rest_c if j not in done_c]
    return rest_q, rest_c


def _project(opcodes: list[tuple[str, int, int, int, int]], p: int) -> int:
    """Where position ``p`` of the source string falls in the destination string."""
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 <= p <= i2 and (i1 < i2 or tag == "insert"):
            if tag in ("equal", "replace"):
                return min(j1 + (p - i1), j2)
            return j1 if tag == "delete" else (j1 if p == i1 else j2)
    return opcodes[-1][4] if opcodes else p


def resegment(q: tuple[str, ...], c: tuple[str, ...]) -> tuple[tuple[str, ...], list[int]]:
    """The query's letters re-cut at the list name's word boundaries.

    The two names are aligned letter by letter without spaces (Levenshtein); each
    boundary of the list name is carried over to the query ("sunris etextile" against
    "sunrise textile" becomes "sunrise textile"; "sunrisetextile" is cut in two), and a
    query boundary is kept only outside the span of a list word. Returns the pieces
    and, for each, the index of the list word it spans (-1 for the query's own words).
    """
    qa, ca = "".join(q), "".join(c)
    if not qa or not ca:
        return q, [-1] * len(q)
    ops = [tuple(op) for op in Levenshtein.opcodes(ca, qa)]
    starts: list[int] = []
    pos = 0
    for tok in c:
        starts.append(pos)
        pos += len(tok)
    starts.append(pos)
    mapped = [_project(ops, p) for p in starts]  # type: ignore[arg-type]
    spans = [(mapped[k], mapped[k + 1]) for k in range(len(c))]
    cuts = set(mapped)
    pos = 0
    for tok in q:
        pos += len(tok)
        if not any(s < pos < e for s, e in spans):
            cuts.add(pos)
    cuts |= {0, len(qa)}
    edges = sorted(x for x in cuts if 0 <= x <= len(qa))
    pieces: list[str] = []
    owners: list[int] = []
    for s_, e_ in itertools.pairwise(edges):
        if e_ <= s_:
            continue
        pieces.append(qa[s_:e_])
        owner = next((k for k, (s2, e2) in enumerate(spans) if s2 == s_ and e2 == e_), -1)
        owners.append(owner)
    return tuple(pieces), owners


def resegmented_alignment(
    q: tuple[str, ...],
    qw: list[float],
    c: tuple[str, ...],
    cw: list[float],
    person: bool = False,
    spelled: Spellings | None = None,
) -> TokenAlignment | None:
    """Token alignment of the query re-cut along the list name's boundaries (see
    :func:`resegment`), or None when re-cutting changes nothing. A piece that spans a
    list word weighs what that word weighs; the query's own words keep their weight."""
    pieces, owners = resegment(q, c)
    if pieces == q:
        return None
    own = dict(zip(q, qw, strict=True))
    new = {p for p in pieces if p not in own}
    whole = {p for p, k in zip(pieces, owners, strict=True) if k >= 0 and c[k] == p}
    if any(len(p) < 3 and p not in whole for p in new):
        return None  # a letter or two cut off a word is not a word, unless it is the
        # list's own short word ("HKLimited" cut as "HK Limited")
    weights = [
        cw[k] if k >= 0 else own.get(p, CLASS_WEIGHTS[token_class(p)])
        for p, k in zip(pieces, owners, strict=True)
    ]
    out = align_tokens(pieces, weights, c, cw, person, spelled)
    out.pieces = pieces
    if any(p in new and token_class(p) != LEGAL for p in out.query_only):
        return None  # the re-cut made a piece that is no word of the list name (a legal
        # form cut off the end, as in "HKLimited", is none of its core words either)
    return out


def compact_similarity(q: tuple[str, ...], c: tuple[str, ...]) -> tuple[float, str]:
    """Spelling similarity of the names written without spaces, as written, with the
    same words reordered (0.97) and without place words (x0.95); returns (score, how)."""
    qa, ca = compact_of(q), compact_of(c)
    if not qa or not ca:
        return 0.0, "empty"
    if qa == ca:
        return 1.0, "equal"
    best = float(Indel.normalized_similarity(qa, ca))
    if best >= 0.5:
        best = max(best, 1.0 - OSA.distance(qa, ca) / max(len(qa), len(ca)))
    how = "as written"
    if len(q) > 1 or len(c) > 1:
        qs, cs = compact_of(sorted(q)), compact_of(sorted(c))
        if qs == cs:
            return 0.97, "same words in another order"
        if best < 0.9 and (qs != qa or cs != ca):
            sorted_sim = float(Indel.normalized_similarity(qs, cs, score_cutoff=best))
            if sorted_sim > best:
                best, how = sorted_sim, "words sorted"
    q_places = {t for t in q if token_class(t) == PLACE}
    c_places = {t for t in c if token_class(t) == PLACE}
    if q_places != c_places:
        # one name carries a place the other lacks or spells as another place
        qp = compact_of([t for t in q if t not in q_places])
        cp = compact_of([t for t in c if t not in c_places])
        if qp and cp:
            place_sim = 0.95 * float(Indel.normalized_similarity(qp, cp, score_cutoff=best))
            if place_sim > best:
                best, how = place_sim, "place words left out"
    return best, how


@dataclass(slots=True)
class NamePair:
    """One query name against one candidate name, with everything the features need."""

    query: NameKey
    candidate_original: str
    candidate_tokens: tuple[str, ...]
    candidate_han: bool
    query_weights: list[float]
    candidate_weights: list[float]
    person: bool = False
    acronym: bool = False
    """The query is the initials of the list name (XPCC)."""
    candidate_spelled: str = ""
    """The candidate's words as written behind rewritten tokens (NameKey.spelled_text)."""
    alignment: TokenAlignment = field(default_factory=TokenAlignment)
    compact: float = 0.0
    compact_how: str = ""
    compact_query: str = ""
    """The query as compared without spaces, when not its tokens as read (re-cut)."""
    base: float = 0.0
    brand_rule: str = ""
    """'query_is_brand', 'brand_shared_only' or '' (see scoring.brand_rule)."""
    literal: float = 0.0
    name_score: float = 0.0
    features: list[Feature] = field(default_factory=list)
    algorithm: Algorithm = DEFAULT_ALGORITHM
    """Whose tunables the score combines with."""


def _fmt_pairs(
    pairs: list[tuple[str, str, float]],
    as_written: dict[tuple[str, str], tuple[str, str]] | None = None,
) -> str:
    parts = []
    for a, b, s in pairs:
        written = (as_written or {}).get((a, b))
        if a == b:
            parts.append(a)
        elif written is not None:
            parts.append(f"{a}~{b} ({s:.2f}, as written {written[0]}~{written[1]})")
        else:
            parts.append(f"{a}~{b} ({s:.2f})")
    return ", ".join(parts) or "none"


def name_token_overlap_weighted(p: NamePair) -> Feature:
    """Share of the names' weighted words that pair up, in any order; distinctive
    words weigh 1, industry words 0.5, places 0.3, filler 0.05, legal forms 0."""
    a = p.alignment
    detail = f"shared words: {_fmt_pairs(a.pairs, a.as_written)}"
    if a.resegmented:
        detail = "query words re-cut at the list name's word boundaries; " + detail
    if a.query_only:
        detail += f"; only in query: {', '.join(a.query_only)}"
    if a.candidate_only:
        detail += f"; only in list name: {', '.join(a.candidate_only)}"
    return Feature("name_token_overlap_weighted", round(a.score, 4), detail)


def name_compact(p: NamePair) -> Feature:
    """Spelling similarity of the two names written without spaces or legal forms
    (catches typos and split or joined words)."""
    q = p.compact_query or compact_of(p.query.tokens)
    c = compact_of(p.candidate_tokens)
    return Feature("name_compact", round(p.compact, 4), f"'{q}' vs '{c}' ({p.compact_how})")


def name_literal(p: NamePair) -> Feature:
    """Similarity of the full names as written (legal forms included), after Unicode
    cleaning and case folding: separates an exact copy from a re-spelling."""
    return Feature(
        "name_literal",
        round(p.literal, 4),
        f"'{p.query.original}' vs '{p.candidate_original}'",
    )


def name_respaced(p: NamePair) -> Feature | None:
    """The query's word boundaries were moved back to where known words have them
    (a letter shifted across a space, or two words run together), then compared; this
    counts a little less than the names as written."""
    if p.query.respaced is None:
        return None
    return Feature(
        "name_respaced", RESEGMENT_FACTOR, f"'{p.query.original}' read as '{p.query.respaced}'"
    )


def name_pinyin(p: NamePair) -> Feature | None:
    """The names are in different scripts and were compared through pinyin and the
    reviewed glossary; pinyin is lossy, so this finds candidates but is not proof."""
    q_han = p.query.script in ("han", "mixed")
    if q_han == p.candidate_han:
        return None
    readings = ", ".join(f"{zh}→{key}" for zh, key in p.query.translations) or "none"
    side = "query" if q_han else "list name"
    return Feature(
        "name_pinyin",
        round(p.name_score, 4),
        f"Chinese {side} read as '{' '.join(p.query.tokens if q_han else p.candidate_tokens)}'"
        + (f" ({readings})" if q_han else ""),
    )


def name_glossary(p: NamePair) -> Feature | None:
    """Chinese industry words were translated by the reviewed glossary rather than
    transliterated (化学 → chemical), and the translations are among the shared words."""
    if not p.query.glossary:
        return None
    shared = {a for a, b, s in p.alignment.pairs if s > 0}
    used = [(zh, en) for zh, en in p.query.glossary if any(w in shared for w in en.split())]
    if not used:
        return None
    return Feature(
        "name_glossary",
        round(len(used) / len(p.query.glossary), 4),
        "translated: " + ", ".join(f"{zh}→{en}" for zh, en in used),
    )


def brand_spelling(p: NamePair) -> Feature | None:
    """A Chinese brand word was read as its company's own Latin brand (reviewed table),
    e.g. 合盛 as Hoshine rather than the pinyin Hesheng."""
    if p.query.brand_variant is None:
        return None
    latin = dict(p.query.translations).get(p.query.brand_variant, "")
    return Feature("brand_spelling", 1.0, f"{p.query.brand_variant} read as the brand '{latin}'")


def distinctive_word_missing(p: NamePair) -> Feature | None:
    """The list name has distinctive (brand) words and none of them is in the query:
    sharing only places, industry words or legal forms never makes a match."""
    a = p.alignment
    if a.candidate_has_brand and not a.brand_matched:
        brands = [t for t in p.candidate_tokens if token_class(t) == BRAND]
        return Feature(
            "distinctive_word_missing",
            0.0,
            f"no distinctive word of the list name ({', '.join(brands)}) is in the query",
        )
    return None


def brand_only(p: NamePair) -> Feature | None:
    """The names share only distinctive (brand) words, and one has words the other
    lacks: a brand alone is not an entity, so this stays under the match line; a query
    that is nothing but the list name's brand goes to review."""
    if p.brand_rule == "brand_shared_only":
        return Feature(
            "brand_shared_only",
            0.0,
            "only distinctive words in common ("
            + ", ".join(b for a, b, s in p.alignment.pairs if s > 0)
            + "): capped under the match line",
        )
    if p.brand_rule == "query_is_brand":
        return Feature(
            "query_is_brand",
            0.7,
            f"the query is the list name's distinctive word(s) only: for review "
            f"(list name also has {', '.join(p.alignment.candidate_only)})",
        )
    return None


def person_name_order(p: NamePair) -> Feature | None:
    """A person's name matches with its parts in another order (ZHU Hailun = Hailun Zhu)."""
    if not p.person:
        return None
    q = [t for t in p.query.tokens]
    c = list(p.candidate_tokens)
    if q != c and sorted(q) == sorted(c):
        return Feature("person_name_order", 1.0, f"'{' '.join(q)}' = '{' '.join(c)}' reordered")
    return None


def name_acronym(p: NamePair) -> Feature | None:
    """The query is the initials of the list name's words (XPCC for Xinjiang Production
    and Construction Corps): 0.9 when the list name carries the acronym itself, else
    0.78 (review), as acronyms are ambiguous."""
    if not p.acronym:
        return None
    listed = p.query.tokens[0] in p.candidate_tokens
    return Feature(
        "name_acronym",
        0.9 if listed else 0.78,
        f"'{p.query.tokens[0]}' are the initials of '{p.candidate_original}'"
        + (" (the list name gives them)" if listed else ""),
    )


def number_mismatch(p: NamePair) -> Feature | None:
    """Both names carry numbers and they differ (Da Wang 1 / Da Wang 2): other entities."""
    q_num = sorted(t for t in p.query.tokens if t.isdigit())
    c_num = sorted(t for t in p.candidate_tokens if t.isdigit())
    if q_num and c_num and q_num != c_num:
        return Feature("number_mismatch", 0.0, f"numbers {', '.join(q_num)} vs {', '.join(c_num)}")
    return None


NAME_FEATURES = (
    name_acronym,
    name_token_overlap_weighted,
    name_compact,
    name_literal,
    name_respaced,
    name_pinyin,
    name_glossary,
    brand_spelling,
    person_name_order,
    distinctive_word_missing,
    brand_only,
    number_mismatch,
)
