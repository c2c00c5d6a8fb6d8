"""Search: the operation user's boards and Pins, and partner search over everyone's public Pins.

Matching (docs/search-and-terms.md): the query is split into keywords (runs of letters and digits,
case-folded); an item matches when EVERY keyword occurs, case-insensitively, as a substring of one of
its fields (boards: name, description; Pins: title, description, alt text, carousel item titles and
descriptions). A keyword found in the name or title counts 2, elsewhere 1; results are ordered by that
score, then newest first. A query made only of comma-separated numeric ids selects those Pins (search
pins), or those boards and the boards holding those Pins (search boards). Pages are keyset cursors over
that order, bound to the query.

Partner search ranks Pins of creators in the requested country first: a user's country is the country
of the oldest ad account they own (users without one have none). The locale is validated but does not
change results: the sandbox's Pins carry no language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from pinsandbox.core.enums import COUNTRIES
from pinsandbox.core.errors import InvalidParameter
from pinsandbox.core.pagination import PageParams, fingerprint, paginate_list
from pinsandbox.core.tables import ad_accounts
from pinsandbox.organic.boards import tables as board_tables
from pinsandbox.organic.boards.service import BOARD_READ_SECRET, HIDDEN_PRIVACIES, Viewer
from pinsandbox.organic.boards.tables import boards
from pinsandbox.organic.pins.service import PIN_READ_SECRET, public_media
from pinsandbox.organic.pins.tables import pins

_WORD = re.compile(r"\w+")
_IDS = re.compile(r"^\s*\d{1,18}(\s*,\s*\d{1,18})*\s*,?\s*$")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([_-]([A-Za-z]{2}|[0-9]{3}|[A-Za-z]{4}))?([_-]([A-Za-z]{2}|[0-9]{3}))?$")
COUNTRY_SET = frozenset(COUNTRIES)


# -- the query ----------------------------------------------------------------------------------------------
def keywords(query: str) -> list[str]:
    seen: list[str] = []
    for word in _WORD.findall(query.casefold()):
        if word not in seen:
            seen.append(word)
    return seen


def ids_of(query: str) -> list[int] | None:
    """The ids of a query made of comma-separated numeric ids, else None."""
    if not _IDS.match(query):
        return None
    return [int(p) for p in query.replace(" ", "").split(",") if p]


def score(terms: list[str], fields: Iterable[tuple[str | None, int]]) -> int | None:
    """Sum over the keywords of the best weight of a field holding it; None if one keyword is nowhere."""
    texts = [(text.casefold(), weight) for text, weight in fields if text]
    total = 0
    for term in terms:
        best = max((weight for text, weight in texts if term in text), default=0)
        if not best:
            return None
        total += best
    return total


def board_fields(row: sa.Row) -> list[tuple[str | None, int]]:
    return [(row.name, 2), ((row.data or {}).get("description"), 1)]


def pin_fields(data: dict[str, Any]) -> list[tuple[str | None, int]]:
    """The searchable fields of a Pin's `data` (or of a `_pin_texts` row's mapping)."""
    fields: list[tuple[str | None, int]] = [(data.get("title"), 2), (data.get("description"), 1),
                                            (data.get("alt_text"), 1)]
    items = data.get("items") if "items" in data else (data.get("media") or {}).get("items")
    for item in items or []:
        if isinstance(item, dict):
            fields += [(item.get("title"), 1), (item.get("description"), 1)]
    return fields


def _pin_texts(conn: sa.Connection, where: list[Any]) -> list[sa.Row]:
    """Only what matching needs (id, owner, the text fields), extracted by the database: rows hold
    whole media objects that the ranking never reads."""
    stmt = sa.select(pins.c.id, pins.c.owner_user_id, pins.c.data["title"].as_string().label("title"),
                     pins.c.data["description"].as_string().label("description"),
                     pins.c.data["alt_text"].as_string().label("alt_text"),
                     pins.c.data[("media", "items")].label("items")).where(*where)
    return list(conn.execute(stmt))


def _full_pins(conn: sa.Connection, ids: list[int]) -> list[sa.Row]:
    rows = {r.id: r for r in conn.execute(sa.select(pins).where(pins.c.id.in_(ids)))} if ids else {}
    return [rows[i] for i in ids if i in rows]


def _ranked(rows: Iterable[sa.Row], terms: list[str], fields) -> list[tuple[list[int], sa.Row]]:
    out = []
    for row in rows:
        s = score(terms, fields(row)) if terms else 0
        if s is not None:
            out.append(([-s, -row.id], row))
    out.sort(key=lambda kr: kr[0])
    return out


def readable_privacies(viewer: Viewer, scopes: tuple[str, ...]) -> list[str]:
    """The board privacies whose content the token may read with one of the *_secret `scopes`."""
    return ["PUBLIC"] + [p for p in HIDDEN_PRIVACIES if viewer.may(p, scopes)]


# -- the user's boards ------------------------------------------------------------------------------------
def _collaborated(user_id: int) -> sa.Select | None:
    collaborators = getattr(board_tables, "board_collaborators", None)  # group boards, when modelled
    if collaborators is None:
        return None
    return sa.select(collaborators.c.board_id).where(collaborators.c.user_id == user_id)


def search_boards(conn: sa.Connection, *, viewer: Viewer, query: str | None, page: PageParams, secret: bytes
                  ) -> tuple[list[sa.Row], str | None]:
    """Boards of every type the operation user owns or collaborates on; protected and secret ones when
    the token may read them (boards:read_secret). Without a query: all of them, newest first."""
    privacies = readable_privacies(viewer, BOARD_READ_SECRET)
    mine = boards.c.owner_user_id == viewer.user_id
    group = _collaborated(viewer.user_id)
    stmt = sa.select(boards).where(sa.or_(mine, boards.c.id.in_(group)) if group is not None else mine,
                                   boards.c.privacy.in_(privacies))
    text = (query or "").strip()
    ids = ids_of(text) if text else None
    terms: list[str] = []
    if ids is not None:
        holding = sa.select(pins.c.board_id).where(pins.c.id.in_(ids))
        stmt = stmt.where(sa.or_(boards.c.id.in_(ids), boards.c.id.in_(holding)))
    elif text:
        terms = keywords(text)
        if not terms:
            raise InvalidParameter(f"Invalid parameter 'query': {text[:80]!r} holds no keyword (letters or digits) "
                                   "and no comma-separated ids.")
    ranked = _ranked(conn.execute(stmt), terms, board_fields)
    fp = fingerprint("search_user_boards/get", user=viewer.user_id, privacies=privacies, ids=ids, terms=terms)
    got, bookmark = paginate_list(ranked, key=lambda kr: kr[0], page=page, secret=secret, fp=fp)
    return [row for _, row in got], bookmark


# -- the user's Pins ----------------------------------------------------------------------------------------
def search_pins(conn: sa.Connection, *, viewer: Viewer, query: str, page: PageParams, secret: bytes
                ) -> tuple[list[sa.Row], str | None]:
    """The operation user's Pins (on public boards, and protected and secret ones when the token may read
    them: pins:read_secret or boards:read_secret) matching the keywords, or with those ids."""
    text = query.strip()
    ids = ids_of(text)
    terms = [] if ids is not None else keywords(text)
    if ids is None and not terms:
        raise InvalidParameter(f"Invalid parameter 'query': {text[:80]!r} holds no keyword (letters or digits) and "
                               "no comma-separated Pin ids.")
    privacies = readable_privacies(viewer, PIN_READ_SECRET)
    on_boards = sa.select(boards.c.id).where(boards.c.privacy.in_(privacies))
    where = [pins.c.owner_user_id == viewer.user_id, sa.or_(pins.c.board_id.in_(on_boards), pins.c.board_id.is_(None))]
    if ids is not None:
        where.append(pins.c.id.in_(ids))
    ranked = _ranked(_pin_texts(conn, where), terms, lambda r: pin_fields(r._mapping))
    fp = fingerprint("search_user_pins/list", user=viewer.user_id, privacies=privacies, ids=ids, terms=terms)
    got, bookmark = paginate_list(ranked, key=lambda kr: kr[0], page=page, secret=secret, fp=fp)
    return _full_pins(conn, [row.id for _, row in got]), bookmark


# -- partner search -------------------------------------------------------------------------------------------
def check_country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRY_SET:
        raise InvalidParameter(f"Invalid parameter 'country_code': {value[:20]!r} is not a two letter country code "
                               "(ISO 3166-1 alpha-2), e.g. US.")
    return code


def check_locale(value: str | None) -> str | None:
    if value is None:
        return None
    if not _LOCALE.match(value.strip()):
        raise InvalidParameter(f"Invalid parameter 'locale': {value[:40]!r} is not a locale such as en-US, fr_FR "
                               "or es-419.")
    return value.strip()


def owner_countries(conn: sa.Connection, user_ids: set[int]) -> dict[int, str]:
    """Each user's country: that of the oldest ad account they own."""
    if not user_ids:
        return {}
    out: dict[int, str] = {}
    rows = conn.execute(sa.select(ad_accounts.c.owner_user_id, ad_accounts.c.country)
                        .where(ad_accounts.c.owner_user_id.in_(sorted(user_ids)))
                        .order_by(ad_accounts.c.created_time, ad_accounts.c.id))
    for owner, country in rows:
        out.setdefault(owner, country)
    return out


def search_partner_pins(conn: sa.Connection, *, term: str, country: str, locale: str | None, page: PageParams,
                        secret: bytes) -> tuple[list[sa.Row], str | None]:
    terms = keywords(term)
    if not terms:
        raise InvalidParameter(f"Invalid parameter 'term': {term[:80]!r} holds no keyword (letters or digits).")
    public = sa.select(boards.c.id).where(boards.c.privacy == "PUBLIC")
    scored = [(score(terms, pin_fields(r._mapping)), r) for r in _pin_texts(conn, [pins.c.board_id.in_(public)])]
    scored = [(s, r) for s, r in scored if s is not None]
    countries = owner_countries(conn, {r.owner_user_id for _, r in scored})
    ranked = sorted(([-(countries.get(r.owner_user_id) == country), -s, -r.id], r) for s, r in scored)
    fp = fingerprint("search_partner_pins", terms=terms, country=country, locale=(locale or "").lower())
    got, bookmark = paginate_list(ranked, key=lambda kr: kr[0], page=page, secret=secret, fp=fp)
    return _full_pins(conn, [row.id for _, row in got]), bookmark


def render_summary_pin(row: sa.Row) -> dict[str, Any]:
    data = row.data or {}
    return {"media": public_media(data.get("media")), "alt_text": data.get("alt_text"),
            "link": data.get("link"), "title": data.get("title"), "description": data.get("description")}
