"""The matcher: an in-memory index over list entries that screens parties one by one.

``Matcher.build(entries)`` reads (version ref, entry) pairs once, keeps only
what scoring and evidence need (names, key text, ids, countries) in flat lists,
and indexes every name (see ``index.py``). ``match(query)`` finds candidate
names through the index, scores the few best with explainable features, applies
the analysts' judgements and returns a :class:`MatchResult`.
"""

from __future__ import annotations

import copy
import itertools
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from rapidfuzz.distance import OSA, Indel

from flscreen.matching.algorithm import DEFAULT_ALGORITHM, Algorithm
from flscreen.matching.features import LONG_WORD, SHORT_MISSPELLING, NamePair
from flscreen.matching.index import IndexBuilder, NameIndex, key_hash
from flscreen.matching.judgements import Judgement, JudgementBook
from flscreen.matching.query import Query, clean_registration_id, query_party_key
from flscreen.matching.scoring import (
    apply_qualifiers,
    country_code,
    estimate_name_pair,
    explain_name_pair,
    literal_form,
    valid_uscc,
)
from flscreen.model.lists import ListEntry, ListVersionRef
from flscreen.model.matching import Feature, MatchHit, MatchResult
from flscreen.normalize.names import (
    BRAND,
    INDUSTRY,
    NameKey,
    acronym,
    acronyms,
    canonical_token,
    compact_of,
    exact_token,
    latin_words,
    name_keys,
    token_class,
)
from flscreen.normalize.text import clean_text, is_han

CANDIDATE_ROWS = 24
"""Name rows taken from the index per query key before full scoring."""
SCORED_ROWS = 5
"""Name rows scored per query key (best by a quick spelling check)."""
QUICK_MARGIN = 0.09
"""How far under the review threshold a quick estimate may be and the row still scored."""
STOP_MARGIN = 0.3
"""Rows whose quick estimate is this far under the best score found are not scored."""
MIN_MAX_DF = 500
"""Index keys with longer posting lists than max(this, names/100) are skipped when a
query has rarer keys (a place or industry word alone selects nothing)."""

_FLAG_HAN = 1
_FLAG_PERSON = 2


def split_words(index: NameIndex, token: str) -> list[tuple[str, str]]:
    """Ways to cut ``token`` into two words that both occur in the index (3+ letters)."""
    cuts = [(token[:i], token[i:]) for i in range(3, len(token) - 2)]
    if not cuts:
        return []
    dfs = index.postings.df([key_hash("t:", w) for cut in cuts for w in cut])
    return [cut for k, cut in enumerate(cuts) if dfs[2 * k] and dfs[2 * k + 1]]


def _is_short(token: str) -> bool:
    return 3 <= len(token) <= 4 and token.isalpha()


def short_typo_weight(short: list[tuple[str, float]], row_text: str) -> float:
    """The weight a row may yet share with a query's short words through one typo (no
    blocking key holds those: the index's typo neighbours start at MIN_FUZZY_LEN
    letters): each short query word (or join of two neighbours) absent from the row but
    one edit from one of its words, at the weight short misspellings pair with. An
    estimate that leaves them out would drop the row before the features could pair
    them."""
    words = row_text.split()
    extra = 0.0
    for token, weight in short:
        if token in words:
            continue
        if any(
            abs(len(w) - len(token)) <= 1 and OSA.distance(token, w, score_cutoff=1) <= 1
            for w in words
        ):
            extra += weight * SHORT_MISSPELLING
    return extra


def looks_like_organisation(key: NameKey) -> bool:
    """A name with a legal form or a trade word (Co., Ltd.; Trading; Textile) names an
    organisation, whatever schema the caller gave (or did not)."""
    if any(t.isascii() and t.isalpha() for t in key.legal) or any(
        not t.isascii() for t in key.legal
    ):
        return True
    return any(token_class(t) == INDUSTRY for t in key.tokens if not t.isdigit())


def _is_short_han(text: str) -> bool:
    stripped = text.strip()
    return 2 <= len(stripped) <= 4 and all(is_han(ch) for ch in stripped)


class EntryIndex(Protocol):
    """(list name, entry id) -> entry number: a dict, or a lookup over saved arrays."""

    def get(self, key: tuple[str, str], /) -> int | None: ...


def _other_spellings(key: NameKey) -> list[tuple[str, str]]:
    """(token, other spelling as a token) for a name read from Chinese script: the
    pinyin and senses its words keep beside their tokens (NameKey.spelled), in order."""
    if key.script == "latin" or not key.spelled:
        return []
    tokens = set(key.tokens)
    out: list[tuple[str, str]] = []
    for tok, word in key.spelled:
        other = canonical_token(word)
        if tok in tokens and other != tok:
            out.append((tok, other))
    return out


class Matcher:
    """Screens queries against the entries it was built from. Read-only after build."""

    def __init__(self) -> None:
        # Sequences: Python lists and arrays when built here, memory-mapped columns when
        # read back from disk (see persist.py).
        self.refs: list[ListVersionRef] = []
        self.entry_ids: Sequence[str] = []
        self.entry_ref: Sequence[int] = array("i")
        self.entry_first_row: Sequence[int] = array("i")
        self.entry_flags: Sequence[int] = bytearray()
        self.entry_countries: Sequence[tuple[str, ...]] = []
        self.entry_idents: dict[int, tuple[str, ...]] = {}
        self.entry_usccs: dict[int, tuple[str, ...]] = {}
        self.row_text: Sequence[str] = []
        self.row_original: Sequence[str] = []
        self.row_spelled: Sequence[str] = []
        """Per row, the words as written behind rewritten tokens (NameKey.spelled_text)."""
        self.row_entry: Sequence[int] = array("i")
        self.row_flags: Sequence[int] = bytearray()
        self.row_weight: Sequence[float] = array("f")
        self.by_entry: EntryIndex = {}
        self.index: NameIndex | None = None
        self.judgements = JudgementBook()
        self.algorithm: Algorithm = DEFAULT_ALGORITHM
        """Whose tunables and thresholds score the matches (see with_algorithm)."""

    def with_algorithm(self, algorithm: Algorithm) -> Matcher:
        """This matcher scoring with ``algorithm``: the index and entries are shared (they
        depend on how names are read, not on how scores combine)."""
        if algorithm == self.algorithm:
            return self
        other = copy.copy(self)
        other.algorithm = algorithm
        return other

    # -- building ---------------------------------------------------------------

    @classmethod
    def build(
        cls,
        entries: Iterable[tuple[ListVersionRef, ListEntry]],
        judgements: JudgementBook | Iterable[Judgement] | None = None,
    ) -> Matcher:
        """Index every name of every entry; ``judgements`` are applied to later matches."""
        self = cls()
        builder = IndexBuilder()
        ref_ids: dict[tuple[str, int], int] = {}
        countries_cache: dict[tuple[str, ...], tuple[str, ...]] = {}
        entry_ids: list[str] = []
        entry_ref: array[int] = array("i")
        entry_first_row: array[int] = array("i")
        entry_flags = bytearray()
        entry_countries: list[tuple[str, ...]] = []
        row_text: list[str] = []
        row_original: list[str] = []
        row_spelled: list[str] = []
        row_entry: array[int] = array("i")
        row_flags = bytearray()
        by_entry: dict[tuple[str, str], int] = {}
        for ref, entry in entries:
            ref_key = (ref.list_name, ref.version)
            ref_i = ref_ids.get(ref_key)
            if ref_i is None:
                ref_i = ref_ids[ref_key] = len(self.refs)
                self.refs.append(ref)
            entry_i = len(entry_ids)
            person = entry.schema == "person"
            idents = tuple(
                sorted({c for i in entry.identifiers if (c := clean_registration_id(i.value))})
            )
            usccs = tuple(sorted({u for i in entry.identifiers if (u := valid_uscc(i.value))}))
            codes = tuple(sorted({c for v in entry.countries if (c := country_code(v))}))
            rows_added = 0
            first_row = len(row_text)
            for name in entry.all_names:
                for key in name_keys(name, person=person):
                    row = len(row_text)
                    row_text.append(key.text)
                    row_original.append(name)
                    row_spelled.append(key.spelled_text)
                    row_entry.append(entry_i)
                    flags = _FLAG_HAN if key.script in ("han", "mixed") else 0
                    row_flags.append(flags | (_FLAG_PERSON if person else 0))
                    builder.add(row, key.tokens, idents, key.words)
                    rows_added += 1
            if not rows_added:
                continue
            entry_ids.append(entry.entry_id)
            entry_ref.append(ref_i)
            entry_first_row.append(first_row)
            entry_flags.append(_FLAG_PERSON if person else 0)
            entry_countries.append(countries_cache.setdefault(codes, codes))
            if idents:
                self.entry_idents[entry_i] = idents
            if usccs:
                self.entry_usccs[entry_i] = usccs
            by_entry[(ref.list_name, entry.entry_id)] = entry_i
        self.entry_ids, self.entry_ref, self.entry_first_row = entry_ids, entry_ref, entry_first_row
        self.entry_flags, self.entry_countries = entry_flags, entry_countries
        self.row_text, self.row_original, self.row_entry = row_text, row_original, row_entry
        self.row_flags, self.by_entry = row_flags, by_entry
        self.row_spelled = row_spelled
        self.index = builder.freeze()
        self._weigh_rows()
        if judgements is not None:
            self.judgements = (
                judgements if isinstance(judgements, JudgementBook) else JudgementBook(judgements)
            )
        return self

    def _weigh_rows(self) -> None:
        """Each name row's total token weight (for the quick estimate in match())."""
        assert self.index is not None
        weights: dict[str, float] = {}
        index = self.index
        row_weight: array[float] = array("f")
        for text in self.row_text:
            total = 0.0
            for tok in text.split():
                w = weights.get(tok)
                if w is None:
                    w = weights[tok] = index.token_weights([tok])[0]
                total += w
            row_weight.append(total)
        self.row_weight = row_weight

    def __len__(self) -> int:
        return len(self.entry_ids)

    @property
    def n_names(self) -> int:
        return len(self.row_text)

    # -- matching ---------------------------------------------------------------

    def _known(self, words: list[str], short: bool = False) -> list[bool]:
        """Whether each word (as written) reads as a word the lists or the reviewed
        vocabulary know: a legal form, filler or trade word, or a token in the index
        (of 3+ letters, or 2 with ``short``)."""
        assert self.index is not None
        out: list[bool] = []
        probe: list[tuple[int, str]] = []
        for i, w in enumerate(words):
            core = "".join(latin_words(w))
            if not core or not core.isascii():
                out.append(True)
                continue
            tok = exact_token(core)
            out.append(token_class(tok) != BRAND)
            if not out[-1] and len(tok) >= (2 if short else 3):
                probe.append((i, tok))
        dfs = self.index.postings.df([key_hash("t:", t) for _, t in probe])
        for (i, _), df in zip(probe, dfs, strict=True):
            out[i] = df > 0
        return out

    def respaced(self, name: str) -> str | None:
        """The name with misplaced word boundaries put back, or None when none is found.

        Evasion moves a boundary by a letter ("AccessoriesC o.", "HKL IMITED") or drops
        one ("COLIMITED"): where a word is unknown to the lists, the letter next to a
        boundary is moved across it, or the word cut in two, and the change is kept only
        when every word it makes is known (see :meth:`_known`).
        """
        cleaned = clean_text(name)
        if cleaned is None or not cleaned.isascii():
            return None
        words = cleaned.split(" ")
        known = self._known(words)
        if all(known) or len(words) > 12:
            return None
        changed = False
        i = 0
        while i < len(words):
            if known[i]:
                i += 1
                continue
            options: list[tuple[int, list[str]]] = []
            a = words[i]
            if i + 1 < len(words):
                b = words[i + 1]
                if len(a) >= 2 and a[-1].isalpha():
                    options.append((2, [a[:-1], a[-1] + b]))
                if len(b) >= 2 and b[0].isalpha():
                    options.append((2, [a + b[0], b[1:]]))
            if i > 0:
                z = words[i - 1]
                if len(z) >= 2 and z[-1].isalpha():
                    options.append((-2, [z[:-1], z[-1] + a]))
                if len(a) >= 2 and a[0].isalpha():
                    options.append((-2, [z + a[0], a[1:]]))
            if a.isalpha() and len(a) >= 5:
                options.extend((1, [a[:k], a[k:]]) for k in range(2, len(a) - 1))
            for span, new in options:
                # a two-letter word (HK) only from a moved letter, never a cut
                if all(self._known(new, short=abs(span) == 2)):
                    start = i if span > 0 else i - 1
                    words[start : start + abs(span)] = new
                    known[start : start + abs(span)] = [True] * len(new)
                    changed = True
                    break
            i += 1
        return " ".join(words) if changed else None

    def _query_keys(self, query: Query) -> list[NameKey]:
        person = query.schema == "person"
        keys: list[NameKey] = []
        for name in query.names:
            keys.extend(name_keys(name, person=person, resegment=True))
            fixed = self.respaced(name)
            if fixed is not None:
                keys.extend(
                    replace(k, original=name, respaced=fixed)
                    for k in name_keys(fixed, person=person)
                )
            if not person and _is_short_han(name):
                # A bare 2-4 character Chinese name may be a person's: read it both ways.
                keys.extend(name_keys(name, person=True))
        seen: set[tuple[str, ...]] = set()
        unique: list[NameKey] = []
        for k in keys:
            if k.tokens not in seen:
                seen.add(k.tokens)
                unique.append(k)
        return unique

    def _blocking_keys(
        self, key: NameKey, weights: list[float], reg: str | None
    ) -> list[tuple[int, float]]:
        assert self.index is not None
        out: dict[int, float] = {}

        def put(h: int, w: float) -> None:
            if w > out.get(h, 0.0):
                out[h] = w

        toks = key.tokens
        index = self.index
        for tok, w in zip(toks, weights, strict=True):
            put(key_hash("t:", tok), w)
            if w >= 0.5 and token_class(tok) == BRAND:
                near_words = index.fuzzy_tokens(tok)
                if not near_words and len(tok) >= LONG_WORD - 1:
                    near_words = index.fuzzy_tokens(tok, max_edits=2)
                for near in near_words:
                    put(key_hash("t:", near), w * 0.9)
                if (
                    len(tok) >= 7
                    and tok.isalpha()
                    and not index.postings.df([key_hash("t:", tok)])[0]
                ):
                    # two words run together ("sunrisetextile"): both halves are keys
                    for a, b in split_words(index, tok):
                        put(key_hash("t:", a), w * 0.8)
                        put(key_hash("t:", b), w * 0.8)
        for (a, wa), (b, wb) in zip(
            zip(toks, weights, strict=True), zip(toks[1:], weights[1:], strict=True), strict=False
        ):
            if len(a) <= 6 and len(b) <= 6:
                put(key_hash("t:", a + b), wa + wb)
        compact = compact_of(toks)
        if compact:
            put(key_hash("c:", compact), 3.0)
        if len(toks) == 1 and 3 <= len(toks[0]) <= 8 and toks[0].isalpha():
            put(key_hash("a:", toks[0]), 1.5)
        acr = acronym(toks)
        if acr:
            put(key_hash("t:", acr), 1.0)
        for tok, written in key.spelled:
            # a word a typo correction rewrote ("Snjiang" read as the place Sinkiang):
            # the words one typo from it as written are keys too, as the features
            # compare it as written
            if written != tok and exact_token(written) == written and tok in toks:
                w = weights[toks.index(tok)]
                for near in index.fuzzy_tokens(written):
                    put(key_hash("t:", near), w * 0.9)
        for tok, other in _other_spellings(key):
            # a Chinese word's pinyin or other sense finds a listing that writes it so
            w = weights[toks.index(tok)]
            put(key_hash("t:", other), w)
        if reg:
            put(key_hash("i:", reg), 5.0)
        return list(out.items())

    def match(
        self,
        query: Query,
        threshold: float | None = None,
        limit: int = 10,
        review_threshold: float | None = None,
    ) -> MatchResult:
        """Screen one party: hits from the review threshold up, best first, at most ``limit``.

        In stages: blocking (rows worth scoring), estimate (a cheap name score per
        row, the best per entry), explain (the full features of the entries left),
        qualify (identifier, country, schema) and judge (analysts' judgements).
        ``result.match`` is True when a hit reaches ``threshold`` (default
        the algorithm's threshold) or an analyst confirmed it; hits judged 'no_match'
        move to ``result.suppressed``.
        """
        assert self.index is not None, "use Matcher.build()"
        algo = self.algorithm
        thr = algo.threshold if threshold is None else threshold
        review = algo.review_threshold if review_threshold is None else review_threshold
        review = min(review, thr)
        reg = clean_registration_id(query.registration_id)
        query_uscc = valid_uscc(query.registration_id)
        query_ids = (reg,) if reg else ()
        q_country = country_code(query.country)
        q_person: bool | None = None
        if query.schema:
            q_person = query.schema == "person"
        judged = self.judgements.for_party(query_party_key(query)) if len(self.judgements) else {}

        keys = self._query_keys(query)
        if q_person is None and keys and all(looks_like_organisation(k) for k in keys):
            q_person = False
        judged_entries = {i for pair in judged if (i := self.by_entry.get(pair)) is not None}
        best, literals = self._estimate(keys, reg, review, judged)
        for entry_i in list(best):
            pair = best[entry_i]
            same_id = reg is not None and reg in self.entry_idents.get(entry_i, ())
            if pair.base < review and not same_id and entry_i not in judged_entries:
                del best[entry_i]
                continue
            explain_name_pair(pair, literal_form(literals[entry_i]))
        hits: list[MatchHit] = []
        suppressed: list[MatchHit] = []
        for entry_i, pair in best.items():
            hit = self._qualify(entry_i, pair, query_ids, query_uscc, q_country, q_person, thr)
            ref = self.refs[self.entry_ref[entry_i]]
            judgement = judged.get((ref.list_name, hit.entry_id))
            if judgement is not None:
                hit = _judged(hit, judgement)
                if hit.judgement == "no_match":
                    suppressed.append(hit)
                    continue
            if hit.score >= review or hit.judgement == "match":
                hits.append(hit)
        hits.sort(key=lambda h: (h.judgement != "match", -h.score, h.list, h.entry_id))
        hits = hits[: max(limit, 0)]
        return MatchResult(
            id=query.id,
            match=any(h.match for h in hits),
            hits=tuple(hits),
            algorithm=algo.name,
            threshold=thr,
            review_threshold=review,
            suppressed=tuple(suppressed),
        )

    def _blocking(
        self, key: NameKey, q_weights: list[float], reg: str | None, review: float
    ) -> list[tuple[float, int]]:
        """Stage 1, blocking: the rows worth scoring for one query key, with a cheap
        upper estimate of each one's name score, best first (at most SCORED_ROWS)."""
        assert self.index is not None
        rows = self.index.candidates(
            self._blocking_keys(key, q_weights, reg),
            limit=CANDIDATE_ROWS,
            max_df=max(MIN_MAX_DF, self.n_names // 100),
        )
        # The share of the query's weight the row's keys carry and the compact
        # spelling similarity bound the name score.
        qc = compact_of(key.tokens)
        # ...and the compact spelling with each Chinese word in its first other
        # spelling (a translated word's pinyin), so a romanised listing is not cut here
        first = dict(reversed(_other_spellings(key)))
        qc_other = compact_of([first.get(t, t) for t in key.tokens]) if first else ""
        own = sum(q_weights) or 1.0
        single_word = len(key.tokens) == 1
        # short words pair through typos no blocking key reaches (Snu for Sun): each row's
        # words are read for them, so the estimate ranks rows as the features will score
        # them (see short_typo_weight)
        short = [(t, w) for t, w in zip(key.tokens, q_weights, strict=True) if _is_short(t)]
        # ...and a short word joined to its neighbour (Chol Mam, Kwang Ok: Cholnam, Kwangsok)
        pairs = itertools.pairwise(zip(key.tokens, q_weights, strict=True))
        short += [(a + b, wa + wb) for (a, wa), (b, wb) in pairs if min(len(a), len(b)) <= 4]
        cutoff = review - QUICK_MARGIN
        quick: list[tuple[float, int]] = []
        for r, s in rows:
            text = self.row_text[r]
            sim = Indel.normalized_similarity(qc, text.replace(" ", ""))
            if qc_other:
                sim = max(sim, Indel.normalized_similarity(qc_other, text.replace(" ", "")))
            if short:
                s += short_typo_weight(short, text)
            est = self._quick_estimate(r, s, own, sim, single_word or reg is not None)
            if est >= cutoff or reg:
                quick.append((est, r))
        quick.sort(reverse=True)
        return quick[:SCORED_ROWS]

    def _quick_estimate(
        self, row: int, shared: float, own: float, sim: float, plain: bool
    ) -> float:
        """An upper estimate of a row's name score from the key weight it shares with the
        query and the compact spelling similarity. The row's own weight bounds the share
        of weight in common, as the word-overlap feature counts it (matched / all weight),
        except for acronyms and identifiers (``plain``), scored on other grounds."""
        w_tokens, w_compact = self.algorithm.w_tokens, self.algorithm.w_compact
        if plain:
            return w_tokens * min(1.0, shared / own) + w_compact * sim
        theirs = self.row_weight[row]
        common = min(shared, own, theirs)
        union = own + theirs - common
        return w_tokens * (common / union if union > 0 else 0.0) + w_compact * sim

    def _estimate(
        self,
        keys: list[NameKey],
        reg: str | None,
        review: float,
        judged: Mapping[tuple[str, str], Judgement],
    ) -> tuple[dict[int, NamePair], dict[int, str]]:
        """Stage 2, estimate: each blocked row (and each judged entry's first row)
        scored cheaply; the best name pair per entry, and the query name it came from."""
        assert self.index is not None
        best: dict[int, NamePair] = {}
        literals: dict[int, str] = {}
        for key in keys:
            q_weights = self.index.token_weights(key.tokens)
            quick = self._blocking(key, q_weights, reg, review)
            row_ids = [r for _, r in quick]
            for (list_name, entry_id), _j in judged.items():
                entry_i = self.by_entry.get((list_name, entry_id))
                if entry_i is not None:
                    row_ids.append(self.entry_first_row[entry_i])
            maybe_acronym = len(key.tokens) == 1 and 3 <= len(key.tokens[0]) <= 8
            top_base = 0.0
            ests = {r: e for e, r in quick}
            for row in dict.fromkeys(row_ids):
                if ests.get(row, 1.0) < top_base - STOP_MARGIN:
                    continue  # far below a row already scored: cannot be the best hit
                entry_i = self.row_entry[row]
                pair = self._pair(key, q_weights, row, maybe_acronym)
                top_base = max(top_base, estimate_name_pair(pair))
                old = best.get(entry_i)
                if old is None or pair.base > old.base:
                    best[entry_i] = pair
                    literals[entry_i] = key.original
        return best, literals

    def _qualify(
        self,
        entry_i: int,
        pair: NamePair,
        query_ids: tuple[str, ...],
        query_uscc: str | None,
        q_country: str | None,
        q_person: bool | None,
        thr: float,
    ) -> MatchHit:
        """Stage 3, qualify: the entry's hit, its name score adjusted by identifier,
        country and schema evidence."""
        entry_person = bool(self.entry_flags[entry_i] & _FLAG_PERSON)
        score, qualifiers = apply_qualifiers(
            pair.name_score,
            query_ids,
            query_uscc,
            self.entry_idents.get(entry_i, ()),
            self.entry_usccs.get(entry_i, ()),
            q_country,
            self.entry_countries[entry_i],
            q_person,
            entry_person,
            self.algorithm,
        )
        ref = self.refs[self.entry_ref[entry_i]]
        return MatchHit(
            entry_id=self.entry_ids[entry_i],
            list=ref.list_name,
            list_version=ref.version,
            name=self.row_original[self.entry_first_row[entry_i]],
            matched_name=pair.candidate_original,
            score=round(score, 4),
            features=(*pair.features, *qualifiers),
            match=score >= thr,
        )

    def _pair(
        self, key: NameKey, q_weights: list[float], row: int, maybe_acronym: bool
    ) -> NamePair:
        assert self.index is not None
        tokens = tuple(self.row_text[row].split())
        is_acronym = False
        if maybe_acronym and len(tokens) >= 3:
            found = acronyms(tokens)
            for k in name_keys(self.row_original[row]):
                found |= acronyms(k.words)
            is_acronym = key.tokens[0] in found
        return NamePair(
            query=key,
            candidate_original=self.row_original[row],
            candidate_tokens=tokens,
            candidate_han=bool(self.row_flags[row] & _FLAG_HAN),
            query_weights=q_weights,
            candidate_weights=self.index.token_weights(tokens),
            person=bool(self.row_flags[row] & _FLAG_PERSON),
            acronym=is_acronym,
            candidate_spelled=self.row_spelled[row],
            algorithm=self.algorithm,
        )


def _judged(hit: MatchHit, judgement: Judgement) -> MatchHit:
    """Stage 5, judge: an analyst's judgement on the pair pins the hit at 1.0 (match) or
    moves it to the suppressed hits at 0 (no_match), saying who decided and why."""
    feature = Feature(
        "judgement",
        1.0 if judgement.verdict == "match" else 0.0,
        f"{judgement.describe()} (computed score {hit.score:.4f})",
    )
    if judgement.verdict == "no_match":
        return replace(
            hit, score=0.0, match=False, judgement="no_match", features=(feature, *hit.features)
        )
    return replace(hit, score=1.0, match=True, judgement="match", features=(feature, *hit.features))
