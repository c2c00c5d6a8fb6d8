"""Platform tables: users, OAuth apps and tokens, ad accounts and business access.

These back the shared mechanisms (auth, scopes, business access) that every domain uses.
"""

from __future__ import annotations

import sqlalchemy as sa

from pinsandbox.core.db import JSONType, metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("account_type", sa.String(16), nullable=False, server_default="BUSINESS"),
    sa.Column("business_name", sa.String(256)),
    sa.Column("about", sa.Text, nullable=False, server_default=""),
    sa.Column("website_url", sa.Text, nullable=False, server_default=""),
    sa.Column("profile_image", sa.Text, nullable=False, server_default=""),
    sa.Column("created_time", sa.BigInteger, nullable=False),
)

apps = sa.Table(
    "apps",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),  # the client_id
    sa.Column("name", sa.String(256), nullable=False),
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("owner_user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE")),
    sa.Column("redirect_uris", JSONType, nullable=False),
    sa.Column("created_time", sa.BigInteger, nullable=False),
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 hex of the token
    sa.Column("kind", sa.String(16), nullable=False),  # access | refresh | conversion
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE")),
    sa.Column("app_id", sa.BigInteger, sa.ForeignKey("apps.id", ondelete="CASCADE")),
    sa.Column("ad_account_id", sa.BigInteger),  # conversion tokens are bound to one ad account
    sa.Column("scopes", sa.Text, nullable=False, server_default=""),  # comma separated
    sa.Column("expires_at", sa.BigInteger),  # epoch seconds (sandbox clock); NULL = never
    sa.Column("created_time", sa.BigInteger, nullable=False),
)
sa.Index("ix_tokens_user", tokens.c.user_id)

oauth_codes = sa.Table(
    "oauth_codes",
    metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("app_id", sa.BigInteger, sa.ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("redirect_uri", sa.Text, nullable=False),
    sa.Column("scopes", sa.Text, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
    sa.Column("used", sa.Boolean, nullable=False, server_default=sa.false()),
)

ad_accounts = sa.Table(
    "ad_accounts",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("owner_user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.String(256), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("created_time", sa.BigInteger, nullable=False),
    sa.Column("updated_time", sa.BigInteger, nullable=False),
)
sa.Index("ix_ad_accounts_owner", ad_accounts.c.owner_user_id)

ad_account_members = sa.Table(
    "ad_account_members",
    metadata,
    sa.Column("ad_account_id", sa.BigInteger, sa.ForeignKey("ad_accounts.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("roles", JSONType, nullable=False),  # list of BusinessAccessRole
)
sa.Index("ix_ad_account_members_user", ad_account_members.c.user_id)
