"""The user account's social graph and claimed websites.

Follows: `user_follows` (a user follows a user: the API's follow_user/update), `board_follows` (a user
follows one board: the API has no operation for it, `PUT /_sandbox/users/{username}/following/boards/{id}`
does it) and `interest_follows` (`PUT /_sandbox/users/{username}/interests`). Every follow row has an id
from the sandbox's id generator, so "newer follow = higher id" orders the lists.

Websites: `user_websites` is a user's list of websites, claimed (status `verified`) or not (`unverified`,
after unverify); `sandbox_websites` is what each website "serves" for verification (its meta tag, its
verification file, its DNS TXT records), set with `PUT /_sandbox/websites`: the sandbox plays the site.
"""

from __future__ import annotations

import sqlalchemy as sa

from pinsandbox.core.db import JSONType, metadata

user_follows = sa.Table(
    "user_follows",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("follower_user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("followee_user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("auto_follow", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_time", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("follower_user_id", "followee_user_id", name="uq_user_follows_pair"),
)
sa.Index("ix_user_follows_followee", user_follows.c.followee_user_id, user_follows.c.id)

board_follows = sa.Table(
    "board_follows",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("board_id", sa.BigInteger, sa.ForeignKey("boards.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_time", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("user_id", "board_id", name="uq_board_follows_pair"),
)
sa.Index("ix_board_follows_board", board_follows.c.board_id, board_follows.c.id)

interest_follows = sa.Table(
    "interest_follows",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("interest_id", sa.String(20), nullable=False),
    sa.Column("created_time", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("user_id", "interest_id", name="uq_interest_follows_pair"),
)

user_websites = sa.Table(
    "user_websites",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("website", sa.String(512), nullable=False),  # normalized: host[/path], no scheme
    sa.Column("status", sa.String(16), nullable=False),  # verified | unverified
    sa.Column("verification_method", sa.String(16), nullable=False),  # METATAG | FILENAME | DNSTXT
    sa.Column("verified_at", sa.String(32)),  # "2022-12-14T21:03:01.602000" (UTC), null once unverified
    sa.Column("created_time", sa.BigInteger, nullable=False),
    sa.Column("updated_time", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("user_id", "website", name="uq_user_websites_pair"),
)
sa.Index("ix_user_websites_website", user_websites.c.website, user_websites.c.status)

sandbox_websites = sa.Table(
    "sandbox_websites",
    metadata,
    sa.Column("website", sa.String(512), primary_key=True),  # normalized like user_websites.website
    sa.Column("meta_tag", sa.Text),  # the page's <head> (or just the tag)
    sa.Column("file_name", sa.String(255)),  # a verification file served at the website's root
    sa.Column("file_content", sa.Text),
    sa.Column("dns_txt", JSONType),  # TXT records of the host (a list of strings)
    sa.Column("updated_time", sa.BigInteger, nullable=False),
)
