"""conversions: conversion tags and Conversions API events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('conversion_tags',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('created_time', sa.BigInteger(), nullable=False),
    sa.Column('updated_time', sa.BigInteger(), nullable=False),
    sa.Column('ad_account_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['ad_account_id'], ['ad_accounts.id'],
                            name=op.f('fk_conversion_tags_ad_account_id_ad_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversion_tags'))
    )
    with op.batch_alter_table('conversion_tags', schema=None) as batch_op:
        batch_op.create_index('ix_conversion_tags_account_id', ['ad_account_id', 'id'], unique=False)

    op.create_table('conversion_events',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('ad_account_id', sa.BigInteger(), nullable=False),
    sa.Column('conversion_tag_id', sa.BigInteger(), nullable=True),
    sa.Column('event_id', sa.String(length=256), nullable=False),
    sa.Column('event_name', sa.String(length=32), nullable=False),
    sa.Column('action_source', sa.String(length=16), nullable=False),
    sa.Column('event_time', sa.BigInteger(), nullable=False),
    sa.Column('user_key', sa.String(length=64), nullable=True),
    sa.Column('value_micro_currency', sa.BigInteger(), nullable=True),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.String(length=256), nullable=True),
    sa.Column('raw', JSON, nullable=False),
    sa.Column('received_at', sa.BigInteger(), nullable=False),
    sa.Column('attributed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['ad_account_id'], ['ad_accounts.id'],
                            name=op.f('fk_conversion_events_ad_account_id_ad_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversion_tag_id'], ['conversion_tags.id'],
                            name=op.f('fk_conversion_events_conversion_tag_id_conversion_tags'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversion_events'))
    )
    with op.batch_alter_table('conversion_events', schema=None) as batch_op:
        batch_op.create_index('ix_conversion_events_dedupe', ['ad_account_id', 'event_name', 'event_id'], unique=False)
        batch_op.create_index('ix_conversion_events_unattributed', ['attributed', 'ad_account_id', 'id'], unique=False)
        batch_op.create_index('ix_conversion_events_tag', ['conversion_tag_id', 'event_name', 'event_time'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('conversion_events', schema=None) as batch_op:
        batch_op.drop_index('ix_conversion_events_tag')
        batch_op.drop_index('ix_conversion_events_unattributed')
        batch_op.drop_index('ix_conversion_events_dedupe')
    op.drop_table('conversion_events')
    with op.batch_alter_table('conversion_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_conversion_tags_account_id')
    op.drop_table('conversion_tags')
