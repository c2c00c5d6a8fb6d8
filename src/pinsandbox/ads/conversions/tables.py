import sqlalchemy as sa

from pinsandbox.core.db import JSONType, entity_columns, metadata

# Conversion tags (the Pinterest tag). `data` holds name, version and configs (enhanced match, md_frequency).
conversion_tags = sa.Table(
    "conversion_tags",
    metadata,
    *entity_columns(),
    sa.Column("ad_account_id", sa.BigInteger, sa.ForeignKey("ad_accounts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # ACTIVE; ARCHIVED once deleted
)
sa.Index("ix_conversion_tags_account_id", conversion_tags.c.ad_account_id, conversion_tags.c.id)

# Events accepted by the Conversions API (POST /ad_accounts/{id}/events without ?test=true). The reporting
# engine reads the unattributed ones, attributes them to ads and sets `attributed`.
conversion_events = sa.Table(
    "conversion_events",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("ad_account_id", sa.BigInteger, sa.ForeignKey("ad_accounts.id", ondelete="CASCADE"), nullable=False),
    # The account's tag the event was recorded on (its oldest ACTIVE tag when received; NULL: it had none).
    sa.Column("conversion_tag_id", sa.BigInteger, sa.ForeignKey("conversion_tags.id", ondelete="SET NULL")),
    sa.Column("event_id", sa.String(256), nullable=False),
    sa.Column("event_name", sa.String(32), nullable=False),
    sa.Column("action_source", sa.String(16), nullable=False),
    sa.Column("event_time", sa.BigInteger, nullable=False),  # epoch seconds, as sent
    # sha256 hex identifying the user: first of external_id, em, hashed_maids, ph; else sha256("ip|user agent").
    sa.Column("user_key", sa.String(64)),
    sa.Column("value_micro_currency", sa.BigInteger),  # custom_data.value in the ad account's currency, micro units
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("order_id", sa.String(256)),
    sa.Column("raw", JSONType, nullable=False),  # the event as sent
    sa.Column("received_at", sa.BigInteger, nullable=False),  # epoch seconds, sandbox clock
    sa.Column("attributed", sa.Boolean, nullable=False, server_default=sa.false()),
)
sa.Index("ix_conversion_events_dedupe", conversion_events.c.ad_account_id, conversion_events.c.event_name,
         conversion_events.c.event_id)
sa.Index("ix_conversion_events_unattributed", conversion_events.c.attributed, conversion_events.c.ad_account_id,
         conversion_events.c.id)
sa.Index("ix_conversion_events_tag", conversion_events.c.conversion_tag_id, conversion_events.c.event_name,
         conversion_events.c.event_time)
