"""Typing errors anywhere in a name: a second typo generator, independent of evasions.py.

evasions.py types its errors where issue 12 described them (words of 5+ letters,
legal forms apart). Real typists and real evaders are not so tidy. This generator
follows Damerau's classes of single errors ("A technique for computer detection and
correction of spelling errors", CACM 7(3), 1964: over 80% of misspellings are one
insertion, deletion, substitution or transposition) with the keyboard-neighbour
substitutions of Kukich's survey ("Techniques for automatically correcting words in
text", ACM Computing Surveys 24(4), 1992), in any word of 3+ letters: short words,
first and last letters, legal forms and connectives included, people's names too.
Two typos may fall in one word.

Nothing here was written from flscreen's misses: the operations and their odds are
the cited ones, and the positions are uniform.
"""

from __future__ import annotations

import random
import re
from collections import Counter

from evasions import KEYBOARD_NEIGHBOURS

LETTERS = "abcdefghijklmnopqrstuvwxyz"
OPERATIONS = ("delete", "insert", "substitute", "transpose")


def typo(word: str, rnd: random.Random) -> str:
    """One of Damerau's four errors at a uniform position; an inserted or substituted
    letter is a keyboard neighbour seven times in ten, else any letter."""
    p = rnd.randrange(len(word))
    op = rnd.choice(OPERATIONS)
    ch = word[p]

    def letter() -> str:
        if rnd.random() < 0.7:
            new = rnd.choice(KEYBOARD_NEIGHBOURS.get(ch.lower(), "e"))
        else:
            new = rnd.choice(LETTERS)
        return new.upper() if word.isupper() else new

    if op == "delete":
        return word[:p] + word[p + 1 :]
    if op == "insert":
        return word[:p] + letter() + word[p:]
    if op == "substitute":
        return word[:p] + letter() + word[p + 1 :]
    p = min(p, len(word) - 2)
    return word[:p] + word[p + 1] + word[p] + word[p + 2 :]


def typos(name: str, rnd: random.Random, count: int, min_len: int) -> str | None:
    """``count`` typos in words of ``min_len``+ letters, each word drawn uniformly (one
    word may take two)."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+", name)]
    spans = [s for s in spans if s[1] - s[0] >= min_len]
    if not spans:
        return None
    hits = Counter(rnd.choice(spans) for _ in range(count))
    out = name
    for (s, e), n in sorted(hits.items(), reverse=True):  # right to left: offsets hold
        word = out[s:e]
        for _ in range(n):
            word = typo(word, rnd)
        out = out[:s] + word + out[e:]
    return out if out != name else None


def typo_anywhere(name: str, rnd: random.Random) -> str | None:
    """One typo in any word of 3+ letters."""
    return typos(name, rnd, 1, 3)


def two_typos_anywhere(name: str, rnd: random.Random) -> str | None:
    """Two typos in words of 4+ letters, possibly the same word."""
    return typos(name, rnd, 2, 4)


KINDS = {"typo_anywhere": typo_anywhere, "two_typos_anywhere": two_typos_anywhere}
