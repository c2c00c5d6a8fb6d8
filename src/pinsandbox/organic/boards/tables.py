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
