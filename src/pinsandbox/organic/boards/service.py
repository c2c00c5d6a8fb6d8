"""Boards: create, get, list, update, delete — and who may see or change what (privacy, scopes, group
boards, Business Access).

The "operation user_account" is the token user, or with `ad_account_id` the owner of that ad account
when the token user holds a role on it (`Viewer`). Protected and secret boards need the
`boards:read_secret` scope to be seen and `boards:write_secret` to be changed (and secret ones, through
an ad account, a role that may act on secret content: Owner, Admin). A group board is shared by its
owner with collaborators (`board_collaborators`): they see it as their own, list and save Pins on it,
and manage its sections; only the owner updates or deletes the board. See docs/organic.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pinsandbox.core.access import NOT_PERMITTED, OPERATE_AS_OWNER, OPERATE_AS_OWNER_SECRET, ad_account_access
from pinsandbox.core.errors import Forbidden, InsufficientScope, InvalidParameter, NotFound
from pinsandbox.core.ids import new_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate
from pinsandbox.core.tables import users
from pinsandbox.organic.boards.tables import board_collaborators, boards
from pinsandbox.organic.pins.tables import pins
from pinsandbox.organic.sections.tables import board_sections
from pinsandbox.organic.user_account.follows import board_follower_count
from pinsandbox.organic.user_account.tables import board_follows

MAX_NAME_LENGTH = 180  # the stored column's width; Pinterest documents no bound
BOARD_NOT_FOUND = "Board not found."
# Board privacies whose content needs the *_secret scopes (issue 6: "Secret and protected boards are
# visible only with the `*_secret` scopes"); the Business Access role rule is for SECRET only (the spec:
# "Pins on public or protected boards: Owner, Admin, Analyst, Campaign Manager").
HIDDEN_PRIVACIES = ("PROTECTED", "SECRET")
BOARD_READ_SECRET = ("boards:read_secret",)
BOARD_WRITE_SECRET = ("boards:write_secret",)


# -- who is acting --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Viewer:
    """The operation user_account of an organic request and what the token lets it see."""

    user_id: int  # the operation user_account
    token_user_id: int
    scopes: frozenset[str]
    secret_role: bool  # True without ad_account_id; else the role on the account allows secret content
    ad_account_id: str | None = None

    def may(self, privacy: str, scopes: tuple[str, ...]) -> bool:
        """Whether the token may touch content of a board with `privacy` given the *_secret `scopes` that
        would allow it (any one of them): PUBLIC always; PROTECTED with one of the scopes; SECRET with one
        of the scopes and, through an ad account, the Owner or Admin role."""
        if privacy not in HIDDEN_PRIVACIES:
            return True
        return bool(set(scopes) & self.scopes) and (privacy != "SECRET" or self.secret_role)

    def denied(self, privacy: str, what: str, *scopes: str) -> Exception:
        """The error for content of a board with `privacy` that `may` refuses."""
        if privacy == "SECRET":
            return self.secret_denied(what, *scopes)
        return _insufficient(what, scopes)

    @property
    def can_read_secret_boards(self) -> bool:
        return self.may("SECRET", BOARD_READ_SECRET)

    @property
    def can_read_secret_pins(self) -> bool:
        return self.may("SECRET", ("pins:read_secret", "boards:read_secret"))

    def secret_denied(self, what: str, *scopes: str) -> Exception:
        """The error for acting on secret content this viewer may not touch."""
        if not self.secret_role:
            return Forbidden(f"{NOT_PERMITTED} {what} needs the Owner or Admin role on ad account "
                             f"{self.ad_account_id} (secret content).", code=29)
        return _insufficient(what, scopes)


def _insufficient(what: str, scopes: tuple[str, ...]) -> InsufficientScope:
    return InsufficientScope(
        "Authorization failed: your access token has insufficient permissions for this operation. "
        f"{what} needs the scope {' or '.join(scopes)}.")


def viewer(conn: sa.Connection, *, user_id: int, scopes: frozenset[str], ad_account_id: str | None) -> Viewer:
    """Resolve the operation user_account (Business Access with `ad_account_id`)."""
    if ad_account_id is None:
        return Viewer(user_id=user_id, token_user_id=user_id, scopes=scopes, secret_role=True)
    access = ad_account_access(conn, user_id=user_id, ad_account_id=ad_account_id, roles=OPERATE_AS_OWNER)
    return Viewer(user_id=access.account.owner_user_id, token_user_id=user_id, scopes=scopes,
                  secret_role=bool(access.roles & OPERATE_AS_OWNER_SECRET), ad_account_id=ad_account_id)


# -- rendering ------------------------------------------------------------------------------------
def iso(ts: int) -> str:
    """Pinterest's date-time form, e.g. "2020-01-01T20:10:40-00:00" (UTC)."""
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def username(conn: sa.Connection, user_id: int) -> str:
    return conn.execute(sa.select(users.c.username).where(users.c.id == user_id)).scalar() or ""


def collaborator_count(conn: sa.Connection, board_id: int) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(board_collaborators)
                        .where(board_collaborators.c.board_id == board_id)).scalar() or 0


def render(conn: sa.Connection, row: sa.Row) -> dict[str, Any]:
    data = row.data or {}
    pin_count = conn.execute(sa.select(sa.func.count()).select_from(pins).where(pins.c.board_id == row.id)).scalar()
    recent = conn.execute(sa.select(pins.c.data).where(pins.c.board_id == row.id)
                          .order_by(pins.c.id.desc()).limit(4)).scalars().all()
    thumbs = [u for u in (_image_url(d, "150x150") for d in recent) if u]
    return {
        "id": str(row.id),
        "created_at": iso(row.created_time),
        "board_pins_modified_at": data.get("board_pins_modified_at") or iso(row.created_time),
        "name": row.name,
        "description": data.get("description"),
        "collaborator_count": collaborator_count(conn, row.id),
        "pin_count": pin_count,
        "follower_count": board_follower_count(conn, row.id),
        "media": {"image_cover_url": _image_url(recent[0], "400x300") if recent else None,
                  "pin_thumbnail_urls": thumbs},
        "owner": {"username": username(conn, row.owner_user_id)},
        "privacy": row.privacy,
    }


def _image_url(pin_data: dict[str, Any], size: str) -> str | None:
    media = pin_data.get("media") or {}
    images = media.get("images")
    if images is None and media.get("items"):
        images = media["items"][0].get("images")
    if not images:
        return None
    chosen = images.get(size) or next(iter(images.values()))
    return chosen.get("url")


# -- rules ----------------------------------------------------------------------------------------
def _clean_name(name: str | None) -> str:
    clean = (name or "").strip()
    if not clean or len(clean) > MAX_NAME_LENGTH:
        raise InvalidParameter(f"The board name is invalid or duplicated. Field 'name' must have 1 to "
                               f"{MAX_NAME_LENGTH} characters.")
    return clean


def _check_name_free(conn: sa.Connection, *, owner_user_id: int, name: str, except_id: int | None = None) -> None:
    stmt = sa.select(boards.c.id).where(boards.c.owner_user_id == owner_user_id,
                                        sa.func.lower(boards.c.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(boards.c.id != except_id)
    taken = conn.execute(stmt).first()
    if taken is not None:
        raise InvalidParameter(f"The board name is invalid or duplicated. Field 'name': the user already has "
                               f"a board named {name!r} (board {taken.id}).")


def create(conn: sa.Connection, *, viewer: Viewer, name: str, description: str | None, privacy: str,
           now: int) -> sa.Row:
    clean = _clean_name(name)
    if not viewer.may(privacy, BOARD_WRITE_SECRET):
        raise viewer.denied(privacy, f"Creating a {privacy} board", *BOARD_WRITE_SECRET)
    _check_name_free(conn, owner_user_id=viewer.user_id, name=clean)
    board_id = new_id()
    conn.execute(sa.insert(boards).values(
        id=board_id, owner_user_id=viewer.user_id, name=clean, privacy=privacy,
        data={"description": description, "board_pins_modified_at": iso(now)},
        created_time=now, updated_time=now))
    return load(conn, board_id)


def load(conn: sa.Connection, board_id: str | int) -> sa.Row | None:
    text = str(board_id)
    if not text.isdigit() or len(text) > 18:
        return None
    return conn.execute(sa.select(boards).where(boards.c.id == int(text))).first()


def role_of(conn: sa.Connection, row: sa.Row, user_id: int) -> str | None:
    """"OWNER", "COLLABORATOR" (a group board shared with the user) or None."""
    if row.owner_user_id == user_id:
        return "OWNER"
    shared = conn.execute(sa.select(board_collaborators.c.user_id).where(
        board_collaborators.c.board_id == row.id, board_collaborators.c.user_id == user_id)).first()
    return "COLLABORATOR" if shared is not None else None


def visible(conn: sa.Connection, row: sa.Row, *, viewer: Viewer) -> bool:
    """Owners and collaborators see the board unless it is protected or secret and the token lacks
    boards:read_secret; anyone else sees a public board only."""
    if role_of(conn, row, viewer.user_id) is None:
        return row.privacy == "PUBLIC"
    return viewer.may(row.privacy, BOARD_READ_SECRET)


def not_found(board_id: str | int) -> NotFound:
    return NotFound(f"{BOARD_NOT_FOUND} No board {board_id} is visible to this user.", code=40)


def get(conn: sa.Connection, *, viewer: Viewer, board_id: str | int) -> sa.Row:
    """A board the viewer may see; an unknown or hidden board is 404 code 40 (never revealed)."""
    row = load(conn, board_id)
    if row is None or not visible(conn, row, viewer=viewer):
        raise not_found(board_id)
    return row


def get_for_write(conn: sa.Connection, *, viewer: Viewer, board_id: str | int, denied: str,
                  collaborators: bool, secret_scopes: tuple[str, ...]) -> sa.Row:
    """A board the operation user_account may change.

    404 code 40 if unknown, or another user's non-public board not shared with them; 403 code 29
    (`denied` names the operation) if they are not its owner (or, when `collaborators`, a collaborator);
    a protected or secret board also needs one of `secret_scopes` (401 code 3), and a secret one through
    an ad account the Owner or Admin role (403 code 29).
    """
    row = load(conn, board_id)
    role = role_of(conn, row, viewer.user_id) if row is not None else None
    if row is None or (role is None and row.privacy != "PUBLIC"):
        raise not_found(board_id)
    if role is None or (role == "COLLABORATOR" and not collaborators):
        who = "a collaborator" if role == "COLLABORATOR" else "not its owner"
        raise Forbidden(f"{denied} {NOT_PERMITTED} The operation user_account is {who} on board {row.id}.",
                        code=29)
    if not viewer.may(row.privacy, secret_scopes):
        raise viewer.denied(row.privacy, f"Changing {row.privacy.lower()} board {row.id}", *secret_scopes)
    return row


def can_pin_to(conn: sa.Connection, row: sa.Row, *, viewer: Viewer) -> bool:
    return role_of(conn, row, viewer.user_id) is not None


def touch_pins_modified(conn: sa.Connection, *, board: sa.Row | int, now: int) -> None:
    row = board if isinstance(board, sa.Row) else load(conn, board)
    if row is None:
        return
    data = dict(row.data or {})
    data["board_pins_modified_at"] = iso(now)
    conn.execute(sa.update(boards).where(boards.c.id == row.id).values(data=data, updated_time=now))


def update(conn: sa.Connection, *, viewer: Viewer, board_id: str, fields: dict[str, Any], now: int) -> sa.Row:
    """boards/update: the owner changes name, description, privacy (only the fields sent)."""
    row = get_for_write(conn, viewer=viewer, board_id=board_id, denied="Not authorized to update the board.",
                        collaborators=False, secret_scopes=BOARD_WRITE_SECRET)
    values: dict[str, Any] = {}
    data = dict(row.data or {})
    if "name" in fields:
        clean = _clean_name(fields["name"])
        _check_name_free(conn, owner_user_id=row.owner_user_id, name=clean, except_id=row.id)
        values["name"] = clean
    if "description" in fields:
        data["description"] = fields["description"]
    if "privacy" in fields:
        privacy = fields["privacy"]
        if privacy is None:
            raise InvalidParameter("Invalid board parameters. Field 'privacy' must be PUBLIC or SECRET, not null.")
        if privacy != row.privacy and not viewer.may(privacy, BOARD_WRITE_SECRET):
            raise viewer.denied(privacy, f"Making board {row.id} {privacy}", *BOARD_WRITE_SECRET)
        values["privacy"] = privacy
    conn.execute(sa.update(boards).where(boards.c.id == row.id).values(**values, data=data, updated_time=now))
    return load(conn, row.id)


def delete(conn: sa.Connection, *, viewer: Viewer, board_id: str) -> None:
    """boards/delete: the owner deletes the board with its sections, its Pins (everyone's, on a group
    board), its collaborators and its followers' follows (not left to the foreign key's ON DELETE
    CASCADE, which SQLite applies only with foreign_keys on)."""
    row = get_for_write(conn, viewer=viewer, board_id=board_id, denied="Not authorized to delete the board.",
                        collaborators=False, secret_scopes=BOARD_WRITE_SECRET)
    conn.execute(sa.delete(pins).where(pins.c.board_id == row.id))
    conn.execute(sa.delete(board_sections).where(board_sections.c.board_id == row.id))
    conn.execute(sa.delete(board_collaborators).where(board_collaborators.c.board_id == row.id))
    conn.execute(sa.delete(board_follows).where(board_follows.c.board_id == row.id))
    conn.execute(sa.delete(boards).where(boards.c.id == row.id))


_PRIVACY_FILTER = {
    "PUBLIC": ("PUBLIC",), "PROTECTED": ("PROTECTED",), "SECRET": ("SECRET",),
    "PUBLIC_AND_SECRET": ("PUBLIC", "SECRET"), "ALL": ("PUBLIC", "PROTECTED", "SECRET"),
}


def list_(conn: sa.Connection, *, viewer: Viewer, privacy: str | None, page: PageParams, secret: bytes
          ) -> tuple[list[sa.Row], str | None]:
    """The operation user's boards and the group boards shared with them. Without a privacy filter (or
    with ALL): every board the token may see (protected and secret ones only with boards:read_secret);
    asking for protected or secret boards by name without it is an error."""
    wanted = set(_PRIVACY_FILTER[privacy or "ALL"])
    for hidden in HIDDEN_PRIVACIES:
        if hidden in wanted and not viewer.may(hidden, BOARD_READ_SECRET):
            if privacy not in (None, "ALL"):
                raise viewer.denied(hidden, f"Listing boards with privacy={privacy}", *BOARD_READ_SECRET)
            wanted.discard(hidden)
    shared = sa.select(board_collaborators.c.board_id).where(board_collaborators.c.user_id == viewer.user_id)
    stmt = sa.select(boards).where(sa.or_(boards.c.owner_user_id == viewer.user_id, boards.c.id.in_(shared)),
                                   boards.c.privacy.in_(sorted(wanted)))
    return paginate(conn, stmt, key=boards.c.id, page=page, secret=secret,
                    fp=fingerprint("boards/list", user=viewer.user_id, privacy=sorted(wanted)))


# -- group boards (sandbox control) -------------------------------------------------------------
def add_collaborator(conn: sa.Connection, *, board_id: int, user_id: int, now: int) -> sa.Row:
    row = load(conn, board_id)
    if row is None:
        raise not_found(board_id)
    if row.owner_user_id == user_id:
        raise InvalidParameter(f"Invalid field 'username': the user owns board {board_id}; the owner is not a "
                               "collaborator.")
    if role_of(conn, row, user_id) is None:
        conn.execute(sa.insert(board_collaborators).values(board_id=row.id, user_id=user_id, created_time=now))
    return row


def remove_collaborator(conn: sa.Connection, *, board_id: int, user_id: int) -> None:
    row = load(conn, board_id)
    if row is None:
        raise not_found(board_id)
    gone = conn.execute(sa.delete(board_collaborators).where(board_collaborators.c.board_id == row.id,
                                                             board_collaborators.c.user_id == user_id))
    if gone.rowcount == 0:
        raise NotFound(f"User {user_id} is not a collaborator on board {board_id}.", code=30)


def collaborator_names(conn: sa.Connection, board_id: int) -> list[str]:
    return list(conn.execute(
        sa.select(users.c.username).join(board_collaborators, board_collaborators.c.user_id == users.c.id)
        .where(board_collaborators.c.board_id == board_id).order_by(users.c.username)).scalars())
