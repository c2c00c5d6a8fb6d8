import sqlalchemy as sa

from pinsandbox.core.db import entity_columns, metadata

campaigns = sa.Table(
    "campaigns",
    metadata,
    *entity_columns(),
    sa.Column("ad_account_id", sa.BigInteger, sa.ForeignKey("ad_accounts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
)
sa.Index("ix_campaigns_account_id", campaigns.c.ad_account_id, campaigns.c.id)
