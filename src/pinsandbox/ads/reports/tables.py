import sqlalchemy as sa

from pinsandbox.core.db import entity_columns, metadata

# Report templates (custom reports saved in Ads Manager; the sandbox makes them with
# POST /_sandbox/ad_accounts/{id}/templates). `data` holds the template's fields (level, columns, date
# range, windows, format, filters, ...). `user_id` is the user who made it (is_owned_by_user).
report_templates = sa.Table(
    "report_templates",
    metadata,
    *entity_columns(),
    sa.Column("ad_account_id", sa.BigInteger, sa.ForeignKey("ad_accounts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("user_id", sa.BigInteger, nullable=False),
)
sa.Index("ix_report_templates_account_id", report_templates.c.ad_account_id, report_templates.c.id)

# The ad accounts that can see a template (its owner account and those it is shared with): lists and
# template reports go through this table.
report_template_accounts = sa.Table(
    "report_template_accounts",
    metadata,
    sa.Column("template_id", sa.BigInteger, sa.ForeignKey("report_templates.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("ad_account_id", sa.BigInteger, sa.ForeignKey("ad_accounts.id", ondelete="CASCADE"),
              primary_key=True),
)
sa.Index("ix_report_template_accounts_account", report_template_accounts.c.ad_account_id,
         report_template_accounts.c.template_id)
