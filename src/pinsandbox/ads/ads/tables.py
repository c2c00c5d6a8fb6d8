import sqlalchemy as sa

from pinsandbox.core.db import entity_columns, metadata

ads = sa.Table(
    "ads",
    metadata,
    *entity_columns(),
    sa.Column("ad_account_id", sa.BigInteger, sa.ForeignKey("ad_accounts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("campaign_id", sa.BigInteger, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
    sa.Column("ad_group_id", sa.BigInteger, sa.ForeignKey("ad_groups.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pin_id", sa.BigInteger, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
)
sa.Index("ix_ads_account_id", ads.c.ad_account_id, ads.c.id)
sa.Index("ix_ads_ad_group", ads.c.ad_group_id)
sa.Index("ix_ads_campaign", ads.c.campaign_id)
