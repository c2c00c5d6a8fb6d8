"""Boards: create, get, list — and who may see what (privacy, scopes, Business Access).

The "operation user_account" is the token user, or with `ad_account_id` the owner of that ad account
when the token user holds a role on it (`Viewer`). Secret boards need the `boards:read_secret` scope
(and, through an ad account, a role that may act on secret content: Owner, Admin).
Later organic operations (update, delete, sections, board pins) extend this module.
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
from pinsandbox.organic.boards.tables import boards
from pinsandbox.organic.pins.tables import pins

MAX_NAME_LENGTH = 180  # the stored column's width; Pinterest documents no bound
BOARD_NOT_FOUND = "Board not found."


# -- who is acting --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Viewer:
    """The operation user_account of an organic request and what the token lets it see."""

    user_id: int  # the operation user_account
    token_user_id: int
    scopes: frozenset[str]
    secret_role: bool  # True without ad_account_id; else the role on the account allows secret content
    ad_account_id: str | None = None

    @property
    def can_read_secret_boards(self) -> bool:
        return "boards:read_secret" in self.scopes and self.secret_role

    @property
    def can_read_secret_pins(self) -> bool:
        return bool({"pins:read_secret", "boards:read_secret"} & self.scopes) and self.secret_role

    def secret_denied(self, what: str, *scopes: str) -> Exception:
        """The error for acting on secret content this viewer may not touch."""
        if not self.secret_role:
            return Forbidden(f"{NOT_PERMITTED} {what} needs the Owner or Admin role on ad account "
                             f"{self.ad_account_id} (secret content).", code=29)
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
        "collaborator_count": 0,  # group boards (collaborators) are not modelled yet
        "pin_count": pin_count,
        "follower_count": 0,
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
def create(conn: sa.Connection, *, viewer: Viewer, name: str, description: str | None, privacy: str,
           now: int) -> sa.Row:
    clean = name.strip()
    if not clean or len(clean) > MAX_NAME_LENGTH:
        raise InvalidParameter(f"The board name is invalid or duplicated. Field 'name' must have 1 to "
                               f"{MAX_NAME_LENGTH} characters.")
    if privacy == "SECRET" and ("boards:write_secret" not in viewer.scopes or not viewer.secret_role):
        raise viewer.secret_denied("Creating a SECRET board", "boards:write_secret")
    taken = conn.execute(sa.select(boards.c.id).where(
        boards.c.owner_user_id == viewer.user_id, sa.func.lower(boards.c.name) == clean.lower())).first()
    if taken is not None:
        raise InvalidParameter(f"The board name is invalid or duplicated. Field 'name': the user already has "
                               f"a board named {clean!r} (board {taken.id}).")
    board_id = new_id()
    conn.execute(sa.insert(boards).values(
        id=board_id, owner_user_id=viewer.user_id, name=clean, privacy=privacy,
        data={"description": description, "board_pins_modified_at": iso(now)},
        created_time=now, updated_time=now))
    return conn.execute(sa.select(boards).where(boards.c.id == board_id)).first()


def visible(row: sa.Row, *, viewer: Viewer) -> bool:
    """Owners see their public and protected boards, and secret ones with boards:read_secret;
    anyone sees a public board."""
    if row.owner_user_id != viewer.user_id:
        return row.privacy == "PUBLIC"
    return row.privacy != "SECRET" or viewer.can_read_secret_boards


def get(conn: sa.Connection, *, viewer: Viewer, board_id: str | int) -> sa.Row:
    """A board the viewer may see; an unknown or hidden board is 404 code 40 (never revealed)."""
    row = conn.execute(sa.select(boards).where(boards.c.id == int(board_id))).first()
    if row is None or not visible(row, viewer=viewer):
        raise NotFound(f"{BOARD_NOT_FOUND} No board {board_id} is visible to this user.", code=40)
    return row


def get_owned(conn: sa.Connection, *, viewer: Viewer, board_id: str | int, action: str) -> sa.Row:
    """A board of the operation user_account to write to: 404 code 40 if unknown or hidden, 403 if not theirs.
    The caller checks the secret-content rules of its own operation."""
    row = conn.execute(sa.select(boards).where(boards.c.id == int(board_id))).first()
    if row is None or (row.owner_user_id != viewer.user_id and row.privacy != "PUBLIC"):
        raise NotFound(f"{BOARD_NOT_FOUND} No board {board_id} is visible to this user.", code=40)
    if row.owner_user_id != viewer.user_id:
        raise Forbidden(f"{NOT_PERMITTED} Board {board_id} belongs to another user; {action} only on boards "
                        "of the operation user_account.", code=29)
    return row


def touch_pins_modified(conn: sa.Connection, *, board: sa.Row, now: int) -> None:
    data = dict(board.data or {})
    data["board_pins_modified_at"] = iso(now)
    conn.execute(sa.update(boards).where(boards.c.id == board.id).values(data=data, updated_time=now))


_PRIVACY_FILTER = {
    "PUBLIC": ("PUBLIC",), "PROTECTED": ("PROTECTED",), "SECRET": ("SECRET",),
    "PUBLIC_AND_SECRET": ("PUBLIC", "SECRET"), "ALL": ("PUBLIC", "PROTECTED", "SECRET"),
}


def list_(conn: sa.Connection, *, viewer: Viewer, privacy: str | None, page: PageParams, secret: bytes
          ) -> tuple[list[sa.Row], str | None]:
    """The operation user's boards. Without a privacy filter: every board the token may see (secret
    ones only with boards:read_secret); asking for secret boards explicitly without it is an error."""
    wanted = set(_PRIVACY_FILTER[privacy or "ALL"])
    if "SECRET" in wanted and not viewer.can_read_secret_boards:
        if privacy in ("SECRET", "PUBLIC_AND_SECRET"):
            raise viewer.secret_denied(f"Listing boards with privacy={privacy}", "boards:read_secret")
        wanted.discard("SECRET")
    stmt = sa.select(boards).where(boards.c.owner_user_id == viewer.user_id, boards.c.privacy.in_(sorted(wanted)))
    return paginate(conn, stmt, key=boards.c.id, page=page, secret=secret,
                    fp=fingerprint("boards/list", user=viewer.user_id, privacy=sorted(wanted)))
