"""Terms of service acceptance per ad account and terms type (what Ads Manager records when the advertiser
accepts). The sandbox sets it with `PUT /_sandbox/ad_accounts/{id}/terms_of_service`; without a row the
defaults of `terms.tos` apply."""

from __future__ import annotations

import sqlalchemy as sa

from pinsandbox.core.db import metadata

terms_of_service_acceptances = sa.Table(
    "terms_of_service_acceptances",
    metadata,
    sa.Column("ad_account_id", sa.BigInteger, sa.ForeignKey("ad_accounts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tos_type", sa.String(32), primary_key=True),
    sa.Column("accepted", sa.Boolean, nullable=False),
    sa.Column("updated_time", sa.BigInteger, nullable=False),
)
