import sqlalchemy as sa

from pinsandbox.core.db import entity_columns, metadata

# A keyword's parent is the ad account itself ("advertiser"), a campaign or an ad group of it.
# `parent_id` is that entity's id; `campaign_id` / `ad_group_id` are its campaign and ad group (when it
# has them), so keywords go with them when they are deleted. `value_key` is the normalized value that
# duplicates are found by; `value` and `bid` live in `data`.
keywords = sa.Table(
    "keywords",
    metadata,
    *entity_columns(),
    sa.Column("ad_account_id", sa.BigInteger, sa.ForeignKey("ad_accounts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("parent_type", sa.String(16), nullable=False),
    sa.Column("parent_id", sa.BigInteger, nullable=False),
    sa.Column("campaign_id", sa.BigInteger, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=True),
    sa.Column("ad_group_id", sa.BigInteger, sa.ForeignKey("ad_groups.id", ondelete="CASCADE"), nullable=True),
    sa.Column("match_type", sa.String(16), nullable=False),
    sa.Column("value_key", sa.String(512), nullable=False),
    sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
)
sa.Index("ix_keywords_account_parent", keywords.c.ad_account_id, keywords.c.parent_id, keywords.c.id)
sa.Index("ix_keywords_parent_value", keywords.c.parent_id, keywords.c.value_key)
sa.Index("ix_keywords_ad_group", keywords.c.ad_group_id)
sa.Index("ix_keywords_campaign", keywords.c.campaign_id)
