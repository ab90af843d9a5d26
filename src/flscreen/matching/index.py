"""The blocking index: finds the few list names worth scoring without reading them all.

Every name row is indexed under hashed keys: its tokens (in the Latin key
space, so Chinese and Latin names share keys), adjacent short brand tokens
joined ("zhong tai" -> "zhongtai"), its compact form (for exact hits on
generic names), its acronym (XPCC) and the registration ids of its entry.
Keys are 64-bit hashes in one sorted numpy array with CSR postings, so the
index holds no per-key Python objects: a million names fit in a few hundred MB.
Typos are reached through a deletion index (SymSpell) over the vocabulary of
distinctive tokens.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import threading
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import OSA

from flscreen.normalize.names import (
    BRAND,
    CLASS_WEIGHTS,
    acronyms,
    compact_of,
    token_class,
)

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
F32 = npt.NDArray[np.float32]

MIN_FUZZY_LEN = 4
"""Tokens shorter than this are looked up exactly: one edit in three letters is another word."""


@functools.lru_cache(maxsize=1 << 20)
def key_hash(prefix: str, value: str) -> int:
    """A 64-bit key for one index key, the same in every process (blake2b), so an index
    saved by one process is read by another (``hash()`` is salted per process)."""
    digest = hashlib.blake2b((prefix + value).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _deletions(token: str) -> list[str]:
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


def _transpositions(token: str) -> list[str]:
    return [
        token[:i] + token[i + 1] + token[i] + token[i + 2 :]
        for i in range(len(token) - 1)
        if token[i] != token[i + 1]
    ]


@dataclass(slots=True)
class Postings:
    """Sorted unique key hashes with CSR offsets into one posting array of row ids."""

    keys: I64
    offsets: I64
    rows: I32

    @classmethod
    def build(cls, keys: array[int], rows: array[int]) -> Postings:
        k = np.frombuffer(keys, dtype=np.int64) if len(keys) else np.zeros(0, np.int64)
        r = np.frombuffer(rows, dtype=np.int32) if len(rows) else np.zeros(0, np.int32)
        order = np.argsort(k, kind="stable")
        k_sorted = k[order]
        r_sorted = r[order]
        uniq, starts = np.unique(k_sorted, return_index=True)
        offsets = np.empty(len(uniq) + 1, dtype=np.int64)
        offsets[:-1] = starts
        offsets[-1] = len(k_sorted)
        return cls(keys=uniq, offsets=offsets, rows=r_sorted.astype(np.int32, copy=False))

    def find(self, hashes: Sequence[int]) -> list[tuple[int, int]]:
        """(start, end) slices into ``rows`` for each hash; (0, 0) when absent."""
        if not len(self.keys) or not hashes:
            return [(0, 0)] * len(hashes)
        h = np.asarray(hashes, dtype=np.int64)
        pos = np.searchsorted(self.keys, h)
        pos_c = np.minimum(pos, len(self.keys) - 1)
        found = self.keys[pos_c] == h
        starts = self.offsets[pos_c]
        ends = self.offsets[pos_c + 1]
        return [
            (int(s), int(e)) if f else (0, 0)
            for s, e, f in zip(starts.tolist(), ends.tolist(), found.tolist(), strict=True)
        ]

    def df(self, hashes: Sequence[int]) -> list[int]:
        return [e - s for s, e in self.find(hashes)]

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.offsets.nbytes + self.rows.nbytes)


class IndexBuilder:
    """Collects name rows, then freezes them into a :class:`NameIndex`."""

    def __init__(self) -> None:
        self._keys: array[int] = array("q")
        self._rows: array[int] = array("i")
        self._vocab: dict[str, None] = {}
        self.n_rows = 0

    def add(
        self,
        row: int,
        tokens: tuple[str, ...],
        ids: Iterable[str] = (),
        words: tuple[str, ...] = (),
    ) -> None:
        keys = self._keys
        rows = self._rows
        seen: set[int] = set()
        for tok in tokens:
            h = key_hash("t:", tok)
            if h not in seen:
                seen.add(h)
                keys.append(h)
                rows.append(row)
            if len(tok) >= MIN_FUZZY_LEN and tok not in self._vocab and tok.isalpha():
                self._vocab[tok] = None
        for a, b in itertools.pairwise(tokens):
            if len(a) <= 6 and len(b) <= 6 and token_class(a) == BRAND == token_class(b):
                h = key_hash("t:", a + b)
                if h not in seen:
                    seen.add(h)
                    keys.append(h)
                    rows.append(row)
        compact = compact_of(tokens)
        if compact:
            keys.append(key_hash("c:", compact))
            rows.append(row)
        for acr in acronyms(tokens) | acronyms(words):
            if 3 <= len(acr) <= 8:
                keys.append(key_hash("a:", acr))
                rows.append(row)
        for ident in ids:
            keys.append(key_hash("i:", ident))
            rows.append(row)
        self.n_rows = max(self.n_rows, row + 1)

    def freeze(self) -> NameIndex:
        postings = Postings.build(self._keys, self._rows)
        self._keys = array("q")
        self._rows = array("i")
        vocab = list(self._vocab)
        self._vocab = {}
        del_keys: array[int] = array("q")
        del_tok: array[int] = array("i")
        for i, tok in enumerate(vocab):
            for d in {tok, *_deletions(tok)}:
                del_keys.append(key_hash("d:", d))
                del_tok.append(i)
        deletions = Postings.build(del_keys, del_tok)
        return NameIndex(postings, deletions, vocab, self.n_rows)


COMMON_POOL = 4096
"""How many of the rows rare keys found the common keys re-rank."""

_LOCAL = threading.local()


class NameIndex:
    """Read-only blocking index; :meth:`candidates` is safe to call from threads."""

    def __init__(
        self, postings: Postings, deletions: Postings, vocab: Sequence[str], n_rows: int
    ) -> None:
        self.postings = postings
        self.deletions = deletions
        self.vocab = vocab
        self.n_rows = n_rows
        self._log_n = math.log(max(n_rows, 2) + 1)
        self._weights: dict[str, float] = {}

    @property
    def nbytes(self) -> int:
        return self.postings.nbytes + self.deletions.nbytes

    def idf_factor(self, df: int) -> float:
        """0.4 (in every name) .. 1.0 (in one name, or unseen): rare tokens weigh more."""
        if df <= 1:
            return 1.0
        return 0.4 + 0.6 * max(0.0, math.log((self.n_rows + 1) / df) / self._log_n)

    def token_weights(self, tokens: Sequence[str]) -> list[float]:
        """Class weight x IDF factor for each token (cached per token; thread-safe:
        a cache cleared by another thread only costs a recomputation)."""
        cache = self._weights
        out = [cache.get(t) for t in tokens]
        missing = [t for t, w in zip(tokens, out, strict=True) if w is None]
        if missing:
            if len(cache) > 200_000:
                cache.clear()
            dfs = self.postings.df([key_hash("t:", t) for t in missing])
            fresh = {
                t: CLASS_WEIGHTS[token_class(t)] * self.idf_factor(df)
                for t, df in zip(missing, dfs, strict=True)
            }
            cache.update(fresh)
            out = [w if w is not None else fresh[t] for t, w in zip(tokens, out, strict=True)]
        return [float(w) for w in out if w is not None]

    def fuzzy_tokens(self, token: str, max_edits: int = 1) -> list[str]:
        """Vocabulary tokens within ``max_edits`` (OSA) of ``token``, itself excluded."""
        if len(token) < MIN_FUZZY_LEN or not len(self.deletions.keys):
            return []
        probe_set = {token, *_deletions(token)}
        if max_edits >= 2:
            # the vocabulary holds single deletions: second deletions on the query side
            # reach a word two dropped or swapped letters away, and the query with one
            # swap undone (and a letter dropped) a word that also lost a letter
            # ("chegaung" for chenguang), without a larger index
            probe_set |= {d2 for d in _deletions(token) for d2 in _deletions(d)}
            for t in _transpositions(token):
                probe_set.add(t)
                probe_set.update(_deletions(t))
        probes = [key_hash("d:", d) for d in probe_set]
        out: set[str] = set()
        rows = self.deletions.rows
        for s, e in self.deletions.find(probes):
            for i in rows[s:e].tolist():
                cand = self.vocab[i]
                if cand != token and OSA.distance(token, cand, score_cutoff=max_edits) <= max_edits:
                    out.add(cand)
        return sorted(out)

    def _buffer(self) -> F32:
        buf: F32 | None = getattr(_LOCAL, "buf", None)
        if buf is None or len(buf) < self.n_rows:
            buf = np.zeros(max(self.n_rows, 1), dtype=np.float32)
            _LOCAL.buf = buf
        return buf

    def candidates(
        self, weighted_keys: Sequence[tuple[int, float]], limit: int, max_df: int
    ) -> list[tuple[int, float]]:
        """The ``limit`` rows with the highest summed key weights, best first.

        Keys whose posting list is longer than ``max_df`` are skipped unless no
        other key is selective: a query made only of common words still gets
        its best rows, from its rarest key.
        """
        if not weighted_keys or not self.n_rows:
            return []
        slices = self.postings.find([h for h, _ in weighted_keys])
        usable = [
            (s, e, w)
            for (s, e), (_, w) in zip(slices, weighted_keys, strict=True)
            if e > s and w > 0
        ]
        if not usable:
            return []
        selective = [u for u in usable if u[1] - u[0] <= max_df]
        common = [u for u in usable if u[1] - u[0] > max_df]
        if not selective:
            rarest = min(usable, key=lambda u: u[1] - u[0])
            common.remove(rarest)
            selective = [(rarest[0], min(rarest[1], rarest[0] + max_df), rarest[2])]
        acc = self._buffer()
        rows = self.postings.rows
        touched: list[I32] = []
        for s, e, w in selective:
            r = rows[s:e]
            acc[r] += w
            touched.append(r)
        all_rows = np.concatenate(touched) if len(touched) > 1 else touched[0]
        scores = acc[all_rows]
        acc[all_rows] = 0.0
        if common:
            # Common keys (a province, an industry word) select nothing on their own
            # but still rank the best rows found: each posting list is sorted, so
            # the rows are looked up in it rather than the list read.
            # Rows found by rare keys often tie (every neighbour of a misspelt brand
            # weighs the same): the pool keeps every row tied at its cut (up to
            # COMMON_POOL) so the common keys can break the tie.
            pool = limit * 8
            if len(all_rows) > pool:
                cut = -np.partition(-scores, pool - 1)[pool - 1]
                keep = np.flatnonzero(scores >= cut)
                if len(keep) > COMMON_POOL:
                    keep = keep[:COMMON_POOL]
                all_rows = all_rows[keep]
                scores = scores[keep]
            all_rows, first = np.unique(all_rows, return_index=True)
            scores = scores[first].copy()
            for s, e, w in common:
                posting = rows[s:e]
                pos = np.minimum(np.searchsorted(posting, all_rows), len(posting) - 1)
                scores[posting[pos] == all_rows] += w
        # all_rows may repeat a row (one entry per key it shares): take a few more
        # than asked, then keep each row once.
        want = limit * 3
        if len(all_rows) > want:
            top = np.argpartition(-scores, want - 1)[:want]
            all_rows = all_rows[top]
            scores = scores[top]
        order = np.argsort(-scores, kind="stable")
        out: dict[int, float] = {}
        for row, score in zip(
            all_rows[order].tolist(), scores[order].astype(float).tolist(), strict=True
        ):
            if row not in out:
                out[row] = score
                if len(out) == limit:
                    break
        return list(out.items())
