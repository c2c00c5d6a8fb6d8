"""keywords: keyword targeting of ad accounts, campaigns and ad groups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('keywords',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_time', sa.BigInteger(), nullable=False),
    sa.Column('updated_time', sa.BigInteger(), nullable=False),
    sa.Column('ad_account_id', sa.BigInteger(), nullable=False),
    sa.Column('parent_type', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.BigInteger(), nullable=False),
    sa.Column('campaign_id', sa.BigInteger(), nullable=True),
    sa.Column('ad_group_id', sa.BigInteger(), nullable=True),
    sa.Column('match_type', sa.String(length=16), nullable=False),
    sa.Column('value_key', sa.String(length=512), nullable=False),
    sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['ad_account_id'], ['ad_accounts.id'], name=op.f('fk_keywords_ad_account_id_ad_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_keywords_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ad_group_id'], ['ad_groups.id'], name=op.f('fk_keywords_ad_group_id_ad_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keywords'))
    )
    with op.batch_alter_table('keywords', schema=None) as batch_op:
        batch_op.create_index('ix_keywords_account_parent', ['ad_account_id', 'parent_id', 'id'], unique=False)
        batch_op.create_index('ix_keywords_parent_value', ['parent_id', 'value_key'], unique=False)
        batch_op.create_index('ix_keywords_ad_group', ['ad_group_id'], unique=False)
        batch_op.create_index('ix_keywords_campaign', ['campaign_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('keywords', schema=None) as batch_op:
        batch_op.drop_index('ix_keywords_campaign')
        batch_op.drop_index('ix_keywords_ad_group')
        batch_op.drop_index('ix_keywords_parent_value')
        batch_op.drop_index('ix_keywords_account_parent')

    op.drop_table('keywords')
