"""Related and suggested terms, derived from a vocabulary: the phrases the sandbox ships per interest
(`vocabulary.py`, interests of `reporting/vocab.py`) plus what the sandbox's content says — public board
names, public Pin titles (as phrases), single words of those and of their descriptions, and the keywords
advertisers target. Deterministic: the same content gives the same answers.

* Popularity of a phrase: shipped phrases start from their interest's audience share, decreasing with
  their rank in the list; every occurrence in the sandbox's content adds CONTENT_WEIGHT.
* Suggested terms for T: phrases that begin with T (not T itself), most popular first ("sport" gives
  "sports bar" and "sportswear", never "motor sports"); `limit` 1..10, default 4.
* Related terms for T: first the phrases holding T as whole words ("yoga workout" for "workout"), then
  the phrases of the same interests as T (an interest's phrases are related to each other), each group
  most popular first; at most MAX_RELATED per input term. A T the vocabulary does not know takes the interests of the
  phrases holding it, or else those holding any of its words.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from pinsandbox.core.errors import InvalidParameter
from pinsandbox.core.params import split_list
from pinsandbox.organic.boards.tables import boards
from pinsandbox.organic.pins.tables import pins
from pinsandbox.organic.terms.vocabulary import PHRASES
from pinsandbox.reporting.vocab import INTEREST_IDS_BY_NAME, INTERESTS

MAX_RELATED = 20
MAX_TERMS = 50
MAX_TERM_LENGTH = 100
MAX_PHRASE_WORDS = 6
CONTENT_LIMIT = 5000  # newest public boards / Pins / keywords read per request
CONTENT_WEIGHT = 5.0
_WORD = re.compile(r"[^\W\d_][\w'-]*")
STOPWORDS = frozenset(
    "a an and are as at be by for from has have how in into is it its of on or our so that the their this to "
    "with you your my me we us our was were will can all any new best top more most very just not no".split())


def normalize(term: str) -> str:
    return " ".join(term.casefold().split())


def _holds(phrase: str, term: str) -> bool:
    """`term` appears in `phrase` as whole words."""
    return f" {term} " in f" {phrase} "


@dataclass
class Vocabulary:
    popularity: dict[str, float] = field(default_factory=dict)
    interests: dict[str, set[str]] = field(default_factory=dict)  # phrase -> interest names
    members: dict[str, list[str]] = field(default_factory=dict)  # interest name -> phrases

    def add(self, phrase: str, weight: float, interest: str | None = None) -> None:
        self.popularity[phrase] = self.popularity.get(phrase, 0.0) + weight
        if interest is not None and interest not in self.interests.setdefault(phrase, set()):
            self.interests[phrase].add(interest)
            self.members.setdefault(interest, []).append(phrase)

    def copy(self) -> "Vocabulary":
        return Vocabulary(dict(self.popularity), {k: set(v) for k, v in self.interests.items()},
                          {k: list(v) for k, v in self.members.items()})


@lru_cache(maxsize=1)
def shipped() -> Vocabulary:
    vocab = Vocabulary()
    for interest, phrases in PHRASES.items():
        share = INTERESTS[INTEREST_IDS_BY_NAME[interest.lower()]][1]
        vocab.add(interest.lower(), 1000.0 * share * 1.2, interest)
        for rank, phrase in enumerate(phrases):
            vocab.add(phrase, round(1000.0 * share / (1 + 0.1 * rank), 3), interest)
    return vocab


def _keywords_table():
    try:
        from pinsandbox.ads.keywords.tables import keywords
    except ImportError:  # keywords not built
        return None
    return keywords


def content_rows(conn: sa.Connection) -> tuple[tuple, tuple, tuple]:
    """The text the vocabulary learns from: (public board name and description), (title and description of
    Pins on public boards), (advertisers' keyword values) — the newest CONTENT_LIMIT of each."""
    board_rows = conn.execute(sa.select(boards.c.name, boards.c.data["description"].as_string())
                              .where(boards.c.privacy == "PUBLIC").order_by(boards.c.id.desc()).limit(CONTENT_LIMIT))
    public = sa.select(boards.c.id).where(boards.c.privacy == "PUBLIC")
    pin_rows = conn.execute(sa.select(pins.c.data["title"].as_string(), pins.c.data["description"].as_string())
                            .where(pins.c.board_id.in_(public)).order_by(pins.c.id.desc()).limit(CONTENT_LIMIT))
    keywords = _keywords_table()
    keyword_rows = () if keywords is None else conn.execute(
        sa.select(keywords.c.value_key).where(keywords.c.archived == sa.false())
        .order_by(keywords.c.id.desc()).limit(CONTENT_LIMIT))
    return tuple(map(tuple, board_rows)), tuple(map(tuple, pin_rows)), tuple(r[0] for r in keyword_rows)


def _content(rows: tuple[tuple, tuple, tuple]) -> tuple[Counter, Counter]:
    """(phrases, words) of the content rows, with counts."""
    phrases: Counter = Counter()
    words: Counter = Counter()

    def take(text: str | None, *, as_phrase: bool) -> None:
        if not text:
            return
        norm = normalize(text)
        if as_phrase and 3 <= len(norm) <= 60 and len(norm.split()) <= MAX_PHRASE_WORDS:
            phrases[norm] += 1
        for w in _WORD.findall(norm):
            if len(w) >= 3 and w not in STOPWORDS:
                words[w] += 1

    board_rows, pin_rows, keyword_rows = rows
    for name, description in board_rows + pin_rows:
        take(name, as_phrase=True)
        take(description, as_phrase=False)
    for key in keyword_rows:
        take(key, as_phrase=True)
    return phrases, words


_CACHE: dict[int, tuple[tuple, Vocabulary]] = {}
_CACHE_LOCK = threading.Lock()


def build(conn: sa.Connection) -> Vocabulary:
    """The vocabulary of the sandbox's current content; the last few are kept, keyed by that content (a
    cache hit only when the very same text is read again)."""
    rows = content_rows(conn)
    key = hash(rows)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] == rows:
        return hit[1]
    vocab = _build(rows)
    with _CACHE_LOCK:
        if len(_CACHE) >= 8:
            _CACHE.clear()
        _CACHE[key] = (rows, vocab)
    return vocab


def _build(rows: tuple[tuple, tuple, tuple]) -> Vocabulary:
    """The shipped vocabulary plus the content; content phrases take the interests of the shipped
    phrases they hold."""
    base = shipped()
    vocab = base.copy()
    by_first_word: dict[str, list[str]] = {}
    for phrase in base.popularity:
        by_first_word.setdefault(phrase.split()[0], []).append(phrase)
    phrases, words = _content(rows)
    for text, count in list(phrases.items()) + list(words.items()):
        known = text in base.popularity
        vocab.add(text, CONTENT_WEIGHT * count)
        if known:
            continue
        for w in dict.fromkeys(text.split()):  # in order, not a set's (hash-seed) order
            for candidate in by_first_word.get(w, ()):
                if _holds(text, candidate):
                    for interest in base.interests.get(candidate, ()):
                        vocab.add(text, 0.0, interest)
    return vocab


def _ordered(vocab: Vocabulary, phrases: list[str]) -> list[str]:
    """Most popular first; ties alphabetically."""
    return sorted(phrases, key=lambda p: (-vocab.popularity.get(p, 0.0), p))


def related(vocab: Vocabulary, term: str) -> list[str]:
    containing = [p for p in vocab.popularity if p != term and _holds(p, term)]
    interests = set(vocab.interests.get(term, ()))
    if not interests:
        sources = containing or [p for w in term.split() if len(w) >= 3 and w not in STOPWORDS
                                 for p in vocab.popularity if p != term and _holds(p, w)]
        counts = Counter(i for p in sources for i in vocab.interests.get(p, ()))
        # the two most common; ties by name (interests are sets, whose order follows the hash seed)
        interests = {i for i, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]}
        if not containing:
            containing = sources
    siblings = [p for i in sorted(interests) for p in vocab.members.get(i, ()) if p != term]
    ordered = _ordered(vocab, list(dict.fromkeys(containing))) + _ordered(vocab, list(dict.fromkeys(siblings)))
    return list(dict.fromkeys(ordered))[:MAX_RELATED]


def suggested(vocab: Vocabulary, term: str, *, limit: int) -> list[str]:
    return _ordered(vocab, [p for p in vocab.popularity if p != term and p.startswith(term)])[:limit]


# -- parameters -------------------------------------------------------------------------------------------
def check_term(name: str, value: str) -> str:
    term = normalize(value)
    if not term:
        raise InvalidParameter(f"Invalid parameter '{name}': a term must not be empty.")
    if len(term) > MAX_TERM_LENGTH:
        raise InvalidParameter(f"Invalid parameter '{name}': a term has at most {MAX_TERM_LENGTH} characters "
                               f"(got {len(term)}).")
    return term


def check_terms(values: list[str] | None) -> list[str]:
    """`terms` given as repeated parameters or comma-separated (`?terms=clothes,workout`)."""
    items = split_list(values) or []
    if not items:
        raise InvalidParameter("Parameter 'terms' is required: give at least one term.")
    if len(items) > MAX_TERMS:
        raise InvalidParameter(f"Invalid parameter 'terms': at most {MAX_TERMS} terms are allowed, got {len(items)}.")
    return list(dict.fromkeys(check_term("terms", v) for v in items))


def related_terms(conn: sa.Connection, *, terms: list[str]) -> dict[str, Any]:
    vocab = build(conn)
    listed = [{"term": t, "related_terms": related(vocab, t)} for t in terms]
    return {"id": terms[0], "related_term_count": sum(len(x["related_terms"]) for x in listed),
            "related_terms_list": listed}


def suggested_terms(conn: sa.Connection, *, term: str, limit: int) -> list[str]:
    return suggested(build(conn), term, limit=limit)
