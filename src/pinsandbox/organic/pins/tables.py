import sqlalchemy as sa

from pinsandbox.core.db import entity_columns, metadata

pins = sa.Table(
    "pins",
    metadata,
    *entity_columns(),
    sa.Column("owner_user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("board_id", sa.BigInteger, sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=True),
    sa.Column("board_section_id", sa.BigInteger, nullable=True),
)
sa.Index("ix_pins_owner_id", pins.c.owner_user_id, pins.c.id)
sa.Index("ix_pins_board", pins.c.board_id, pins.c.id)
sa.Index("ix_pins_section", pins.c.board_section_id, pins.c.id)
