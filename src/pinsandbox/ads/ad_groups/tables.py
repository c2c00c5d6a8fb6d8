import sqlalchemy as sa

from pinsandbox.core.db import entity_columns, metadata

ad_groups = sa.Table(
    "ad_groups",
    metadata,
    *entity_columns(),
    sa.Column("ad_account_id", sa.BigInteger, sa.ForeignKey("ad_accounts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("campaign_id", sa.BigInteger, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
)
sa.Index("ix_ad_groups_account_id", ad_groups.c.ad_account_id, ad_groups.c.id)
sa.Index("ix_ad_groups_campaign", ad_groups.c.campaign_id)
