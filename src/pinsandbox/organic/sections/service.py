"""Board sections: list, create, update, delete (with their Pins) on a board the operation
user_account owns, or on a group board shared with it.

Reading follows the board's visibility (boards.service.get); changing needs the owner or a
collaborator, and on a secret board the boards:write_secret scope. A section id that is unknown, or
belongs to another board, is 404 code 2031 ("Sorry! We couldn't find this board section.").
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pinsandbox.core.errors import InvalidParameter, NotFound
from pinsandbox.core.ids import new_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate
from pinsandbox.organic.boards import service as boards_service
from pinsandbox.organic.boards.service import Viewer
from pinsandbox.organic.pins.tables import pins
from pinsandbox.organic.sections.tables import board_sections

SECTION_NOT_FOUND = "Sorry! We couldn't find this board section."
SECTION_NOT_FOUND_CODE = 2031
MAX_NAME_LENGTH = 180  # BoardSection.name maxLength


def render(row: sa.Row) -> dict[str, Any]:
    return {"id": str(row.id), "name": row.name}


def not_found(board_id: Any, section_id: Any, field: str = "section_id") -> NotFound:
    return NotFound(f"{SECTION_NOT_FOUND} Board {board_id} has no section {section_id} ({field}).",
                    code=SECTION_NOT_FOUND_CODE)


def load(conn: sa.Connection, *, board_id: int, section_id: str | int, field: str = "section_id") -> sa.Row:
    """The section `section_id` of board `board_id`, or 404 code 2031."""
    text = str(section_id)
    row = None
    if text.isdigit() and len(text) <= 18:
        row = conn.execute(sa.select(board_sections).where(board_sections.c.id == int(text))).first()
    if row is None or row.board_id != board_id:
        raise not_found(board_id, section_id, field)
    return row


def find(conn: sa.Connection, section_id: str | int) -> sa.Row:
    """A section by id alone (pins/save with only board_section_id), or 404 code 2031."""
    text = str(section_id)
    row = None
    if text.isdigit() and len(text) <= 18:
        row = conn.execute(sa.select(board_sections).where(board_sections.c.id == int(text))).first()
    if row is None:
        raise NotFound(f"{SECTION_NOT_FOUND} No section {section_id} exists (board_section_id).",
                       code=SECTION_NOT_FOUND_CODE)
    return row


def _write_board(conn: sa.Connection, *, viewer: Viewer, board_id: str, denied: str) -> sa.Row:
    return boards_service.get_for_write(conn, viewer=viewer, board_id=board_id, denied=denied, collaborators=True,
                                        secret_scopes=("boards:write_secret",))


def _clean_name(conn: sa.Connection, *, board_id: int, name: str, except_id: int | None = None) -> str:
    clean = name.strip()
    if not clean:
        raise InvalidParameter("Invalid board section parameters. Field 'name' must not be blank.")
    stmt = sa.select(board_sections.c.id).where(board_sections.c.board_id == board_id,
                                                sa.func.lower(board_sections.c.name) == clean.lower())
    if except_id is not None:
        stmt = stmt.where(board_sections.c.id != except_id)
    taken = conn.execute(stmt).first()
    if taken is not None:
        raise InvalidParameter(f"Invalid board section parameters. Field 'name': board {board_id} already has a "
                               f"section named {clean!r} (section {taken.id}).")
    return clean


def list_(conn: sa.Connection, *, viewer: Viewer, board_id: str, page: PageParams, secret: bytes
          ) -> tuple[list[sa.Row], str | None]:
    """The sections of a board the viewer may see, oldest first."""
    board = boards_service.get(conn, viewer=viewer, board_id=board_id)
    stmt = sa.select(board_sections).where(board_sections.c.board_id == board.id)
    return paginate(conn, stmt, key=board_sections.c.id, page=page, secret=secret,
                    fp=fingerprint("board_sections/list", board=board.id))


def create(conn: sa.Connection, *, viewer: Viewer, board_id: str, name: str, now: int) -> sa.Row:
    board = _write_board(conn, viewer=viewer, board_id=board_id, denied="Not authorized to create board sections.")
    clean = _clean_name(conn, board_id=board.id, name=name)
    section_id = new_id()
    conn.execute(sa.insert(board_sections).values(id=section_id, board_id=board.id, name=clean,
                                                  data={"created_by": viewer.user_id},
                                                  created_time=now, updated_time=now))
    return conn.execute(sa.select(board_sections).where(board_sections.c.id == section_id)).first()


def update(conn: sa.Connection, *, viewer: Viewer, board_id: str, section_id: str, name: str, now: int) -> sa.Row:
    board = _write_board(conn, viewer=viewer, board_id=board_id, denied="Not authorized to update board section.")
    row = load(conn, board_id=board.id, section_id=section_id)
    clean = _clean_name(conn, board_id=board.id, name=name, except_id=row.id)
    conn.execute(sa.update(board_sections).where(board_sections.c.id == row.id).values(name=clean, updated_time=now))
    return conn.execute(sa.select(board_sections).where(board_sections.c.id == row.id)).first()


def delete(conn: sa.Connection, *, viewer: Viewer, board_id: str, section_id: str, now: int) -> None:
    """Delete a section and the Pins in it (as deleting a section does on Pinterest)."""
    board = _write_board(conn, viewer=viewer, board_id=board_id, denied="Not authorized to delete board section.")
    row = load(conn, board_id=board.id, section_id=section_id)
    removed = conn.execute(sa.delete(pins).where(pins.c.board_section_id == row.id)).rowcount
    conn.execute(sa.delete(board_sections).where(board_sections.c.id == row.id))
    if removed:
        boards_service.touch_pins_modified(conn, board=board, now=now)
