"""Follows: users following users (explicitly), boards (explicitly) and interests — and what that implies.

Pinterest distinguishes explicit follows from implicit ones (`explicit_following`):

* a user U follows a user V explicitly (follow_user/update), or implicitly by following one of V's boards;
* U follows a board B explicitly (the sandbox's board follow), or implicitly by following B's owner.

So, for U:

* following users = explicit user follows (+ owners of explicitly followed boards unless explicit_following);
* following boards = explicitly followed boards (+ the public boards of explicitly followed users unless
  explicit_following);
* followers = users who follow U explicitly or follow one of U's public boards (the mirror of "following"
  with implicit follows, so V is in U's followers exactly when U is in V's following).

Only PUBLIC boards can be followed, and a board that stops being public (or is deleted) drops out of
every list at once. Lists are newest follow first; an implicit relation dates from the follow that
makes it. `feed_type` CREATOR_ONLY keeps followees who have published at least one original Pin (not a
save of someone else's) on a public board; RANKED orders by the followee's follower count, most first.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pinsandbox.core.errors import InvalidParameter, NotFound
from pinsandbox.core.ids import new_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate_list
from pinsandbox.core.tables import users
from pinsandbox.organic.boards.tables import boards
from pinsandbox.organic.pins.tables import pins
from pinsandbox.organic.user_account.tables import board_follows, user_follows

USER_NOT_FOUND = "User not found."
FEED_TYPES = ("ALL", "RANKED", "CREATOR_ONLY", "RANKED_CREATOR_ONLY")


def user_by_name(conn: sa.Connection, username: str, *, field: str = "username") -> sa.Row:
    """The user named `username`; 404 code 30 otherwise. A name of digits only is not a username (400)."""
    if username.isdigit():
        raise InvalidParameter(f"Invalid parameter '{field}': {username!r} is not a valid username "
                               "(a username is not only digits).")
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFound(f"{USER_NOT_FOUND} No user is named {username!r} ({field}).", code=30)
    return row


def summary(username: str) -> dict[str, Any]:
    return {"username": username, "type": "user"}


# -- writes ---------------------------------------------------------------------------------------------
def follow_user(conn: sa.Connection, *, follower_id: int, username: str, auto_follow: bool, now: int) -> sa.Row:
    """U follows V (idempotent: following again changes nothing). Returns V."""
    target = user_by_name(conn, username)
    if target.id == follower_id:
        raise InvalidParameter(f"Invalid parameter 'username': a user cannot follow themselves ({username!r}).")
    if auto_follow and target.account_type != "BUSINESS":
        raise InvalidParameter(f"Invalid field 'auto_follow': {username!r} is not a partner that can be "
                               "auto-followed (auto-follow links exist for business accounts only).")
    exists = conn.execute(sa.select(user_follows.c.id).where(user_follows.c.follower_user_id == follower_id,
                                                             user_follows.c.followee_user_id == target.id)).first()
    if exists is None:
        conn.execute(sa.insert(user_follows).values(id=new_id(), follower_user_id=follower_id,
                                                    followee_user_id=target.id, auto_follow=auto_follow,
                                                    created_time=now))
    return target


def unfollow_user(conn: sa.Connection, *, follower_id: int, username: str) -> bool:
    target = user_by_name(conn, username)
    done = conn.execute(user_follows.delete().where(user_follows.c.follower_user_id == follower_id,
                                                    user_follows.c.followee_user_id == target.id))
    return bool(done.rowcount)


def _followable_board(conn: sa.Connection, *, user_id: int, board_id: int) -> sa.Row:
    row = conn.execute(sa.select(boards).where(boards.c.id == board_id)).first()
    if row is None or (row.privacy != "PUBLIC" and row.owner_user_id != user_id):
        raise NotFound(f"Board not found. No board {board_id} is visible to this user (board_id).", code=40)
    if row.owner_user_id == user_id:
        raise InvalidParameter(f"Invalid parameter 'board_id': board {board_id} is the user's own board; users "
                               "do not follow their own boards.")
    if row.privacy != "PUBLIC":
        raise InvalidParameter(f"Invalid parameter 'board_id': board {board_id} is {row.privacy.lower()}; "
                               "only public boards can be followed.")
    return row


def follow_board(conn: sa.Connection, *, user_id: int, board_id: int, now: int) -> sa.Row:
    board = _followable_board(conn, user_id=user_id, board_id=board_id)
    exists = conn.execute(sa.select(board_follows.c.id).where(board_follows.c.user_id == user_id,
                                                              board_follows.c.board_id == board_id)).first()
    if exists is None:
        conn.execute(sa.insert(board_follows).values(id=new_id(), user_id=user_id, board_id=board_id,
                                                     created_time=now))
    return board


def unfollow_board(conn: sa.Connection, *, user_id: int, board_id: int) -> bool:
    done = conn.execute(board_follows.delete().where(board_follows.c.user_id == user_id,
                                                     board_follows.c.board_id == board_id))
    return bool(done.rowcount)


# -- the graph ------------------------------------------------------------------------------------------
def following_users(conn: sa.Connection, user_id: int, *, explicit: bool) -> dict[int, int]:
    """{followee user id: id of the newest follow that makes the relation}."""
    out: dict[int, int] = {}
    for followee, fid in conn.execute(sa.select(user_follows.c.followee_user_id, user_follows.c.id)
                                      .where(user_follows.c.follower_user_id == user_id)):
        out[followee] = max(fid, out.get(followee, 0))
    if not explicit:
        rows = conn.execute(sa.select(boards.c.owner_user_id, board_follows.c.id)
                            .join(boards, boards.c.id == board_follows.c.board_id)
                            .where(board_follows.c.user_id == user_id, boards.c.privacy == "PUBLIC",
                                   boards.c.owner_user_id != user_id))
        for owner, fid in rows:
            out[owner] = max(fid, out.get(owner, 0))
    return out


def followers(conn: sa.Connection, user_id: int) -> dict[int, int]:
    """{follower user id: id of the newest follow that makes the relation} (explicit and implicit)."""
    out: dict[int, int] = {}
    for follower, fid in conn.execute(sa.select(user_follows.c.follower_user_id, user_follows.c.id)
                                      .where(user_follows.c.followee_user_id == user_id)):
        out[follower] = max(fid, out.get(follower, 0))
    rows = conn.execute(sa.select(board_follows.c.user_id, board_follows.c.id)
                        .join(boards, boards.c.id == board_follows.c.board_id)
                        .where(boards.c.owner_user_id == user_id, boards.c.privacy == "PUBLIC",
                               board_follows.c.user_id != user_id))
    for follower, fid in rows:
        out[follower] = max(fid, out.get(follower, 0))
    return out


def following_boards(conn: sa.Connection, user_id: int, *, explicit: bool) -> dict[int, int]:
    """{board id: id of the follow that makes the relation} — public boards of other users only."""
    out: dict[int, int] = {}
    rows = conn.execute(sa.select(board_follows.c.board_id, board_follows.c.id)
                        .join(boards, boards.c.id == board_follows.c.board_id)
                        .where(board_follows.c.user_id == user_id, boards.c.privacy == "PUBLIC",
                               boards.c.owner_user_id != user_id))
    for board_id, fid in rows:
        out[board_id] = fid
    if not explicit:
        rows = conn.execute(sa.select(boards.c.id, user_follows.c.id)
                            .join(boards, boards.c.owner_user_id == user_follows.c.followee_user_id)
                            .where(user_follows.c.follower_user_id == user_id, boards.c.privacy == "PUBLIC"))
        for board_id, fid in rows:
            out[board_id] = max(fid, out.get(board_id, 0))
    return out


def follower_count(conn: sa.Connection, user_id: int) -> int:
    return len(followers(conn, user_id))


def following_count(conn: sa.Connection, user_id: int) -> int:
    """Users followed, explicitly or through a board (what user_following/get lists by default)."""
    return len(following_users(conn, user_id, explicit=False))


def board_follower_count(conn: sa.Connection, board_id: int) -> int:
    """Users who follow a public board, explicitly or by following its owner (0 for other boards)."""
    board = conn.execute(sa.select(boards.c.owner_user_id, boards.c.privacy).where(boards.c.id == board_id)).first()
    if board is None or board.privacy != "PUBLIC":
        return 0
    explicit = set(conn.execute(sa.select(board_follows.c.user_id).where(board_follows.c.board_id == board_id))
                   .scalars())
    by_owner = set(conn.execute(sa.select(user_follows.c.follower_user_id)
                                .where(user_follows.c.followee_user_id == board.owner_user_id)).scalars())
    return len((explicit | by_owner) - {board.owner_user_id})


def _creators(conn: sa.Connection, user_ids: list[int]) -> set[int]:
    """Which of `user_ids` published at least one original Pin (no parent) on a public board."""
    if not user_ids:
        return set()
    parent = pins.c.data["parent_pin_id"].as_string()
    stmt = (sa.select(pins.c.owner_user_id).distinct()
            .join(boards, boards.c.id == pins.c.board_id)
            .where(pins.c.owner_user_id.in_(user_ids), boards.c.privacy == "PUBLIC", parent.is_(None)))
    return set(conn.execute(stmt).scalars())


def _usernames(conn: sa.Connection, user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(conn.execute(sa.select(users.c.id, users.c.username).where(users.c.id.in_(user_ids))).all())


# -- lists ----------------------------------------------------------------------------------------------
def list_following(conn: sa.Connection, *, user_id: int, feed_type: str, explicit: bool, page: PageParams,
                   secret: bytes) -> tuple[list[dict[str, Any]], str | None]:
    relation = following_users(conn, user_id, explicit=explicit)
    ids = list(relation)
    if feed_type in ("CREATOR_ONLY", "RANKED_CREATOR_ONLY"):
        creators = _creators(conn, ids)
        ids = [i for i in ids if i in creators]
    if feed_type in ("RANKED", "RANKED_CREATOR_ONLY"):
        counts = {i: follower_count(conn, i) for i in ids}
        keyed = [([-counts[i], -relation[i], i], i) for i in ids]
    else:
        keyed = [([-relation[i], i], i) for i in ids]
    keyed.sort()
    fp = fingerprint("user_following/get", user=user_id, feed=feed_type, explicit=explicit)
    page_items, bookmark = paginate_list(keyed, key=lambda k: k[0], page=page, secret=secret, fp=fp)
    names = _usernames(conn, [i for _, i in page_items])
    return [summary(names[i]) for _, i in page_items], bookmark


def list_followers(conn: sa.Connection, *, user_id: int, page: PageParams, secret: bytes
                   ) -> tuple[list[dict[str, Any]], str | None]:
    relation = followers(conn, user_id)
    keyed = sorted(([-fid, uid], uid) for uid, fid in relation.items())
    fp = fingerprint("followers/list", user=user_id)
    page_items, bookmark = paginate_list(keyed, key=lambda k: k[0], page=page, secret=secret, fp=fp)
    names = _usernames(conn, [i for _, i in page_items])
    return [summary(names[i]) for _, i in page_items], bookmark


def list_following_boards(conn: sa.Connection, *, user_id: int, explicit: bool, page: PageParams, secret: bytes
                          ) -> tuple[list[sa.Row], str | None]:
    relation = following_boards(conn, user_id, explicit=explicit)
    keyed = sorted(([-fid, -bid], bid) for bid, fid in relation.items())
    fp = fingerprint("boards_user_follows/list", user=user_id, explicit=explicit)
    page_items, bookmark = paginate_list(keyed, key=lambda k: k[0], page=page, secret=secret, fp=fp)
    ids = [bid for _, bid in page_items]
    rows = {r.id: r for r in conn.execute(sa.select(boards).where(boards.c.id.in_(ids)))} if ids else {}
    return [rows[i] for i in ids], bookmark
