import sqlalchemy as sa

from pinsandbox.core.db import entity_columns, metadata

board_sections = sa.Table(
    "board_sections",
    metadata,
    *entity_columns(),
    sa.Column("board_id", sa.BigInteger, sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(180), nullable=False),
)
sa.Index("ix_board_sections_board", board_sections.c.board_id, board_sections.c.id)
