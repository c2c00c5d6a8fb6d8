import sqlalchemy as sa

from pinsandbox.core.db import entity_columns, metadata

# A registered media upload. Its status is derived on read from the sandbox clock:
# no upload yet -> registered; uploaded less than PROCESSING_SECONDS ago -> processing; then `outcome`
# (succeeded | failed), decided when the file arrived.
media_uploads = sa.Table(
    "media_uploads",
    metadata,
    *entity_columns(),
    sa.Column("owner_user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("media_type", sa.String(16), nullable=False),
    sa.Column("uploaded_at_ms", sa.BigInteger, nullable=True),  # epoch milliseconds, sandbox clock
    sa.Column("outcome", sa.String(16), nullable=True),  # succeeded | failed, once uploaded
)
sa.Index("ix_media_uploads_owner_id", media_uploads.c.owner_user_id, media_uploads.c.id)
