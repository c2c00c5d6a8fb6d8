import sqlalchemy as sa

from pinsandbox.core.db import entity_columns, metadata

boards = sa.Table(
    "boards",
    metadata,
    *entity_columns(),
    sa.Column("owner_user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(180), nullable=False),
    sa.Column("privacy", sa.String(16), nullable=False),  # PUBLIC | PROTECTED | SECRET
)
sa.Index("ix_boards_owner_id", boards.c.owner_user_id, boards.c.id)

# Group boards: users the owner shared the board with (the API has no operation for inviting them;
# `PUT /_sandbox/boards/{board_id}/collaborators` adds one, see docs/sandbox.md).
board_collaborators = sa.Table(
    "board_collaborators",
    metadata,
    sa.Column("board_id", sa.BigInteger, sa.ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_time", sa.BigInteger, nullable=False),
)
sa.Index("ix_board_collaborators_user", board_collaborators.c.user_id, board_collaborators.c.board_id)
