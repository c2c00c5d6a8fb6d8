"""report templates (async reports from saved Ads Manager reports)

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-24 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('report_templates',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('created_time', sa.BigInteger(), nullable=False),
    sa.Column('updated_time', sa.BigInteger(), nullable=False),
    sa.Column('ad_account_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['ad_account_id'], ['ad_accounts.id'],
                            name=op.f('fk_report_templates_ad_account_id_ad_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_templates'))
    )
    with op.batch_alter_table('report_templates', schema=None) as batch_op:
        batch_op.create_index('ix_report_templates_account_id', ['ad_account_id', 'id'], unique=False)

    op.create_table('report_template_accounts',
    sa.Column('template_id', sa.BigInteger(), nullable=False),
    sa.Column('ad_account_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['report_templates.id'],
                            name=op.f('fk_report_template_accounts_template_id_report_templates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ad_account_id'], ['ad_accounts.id'],
                            name=op.f('fk_report_template_accounts_ad_account_id_ad_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('template_id', 'ad_account_id', name=op.f('pk_report_template_accounts'))
    )
    with op.batch_alter_table('report_template_accounts', schema=None) as batch_op:
        batch_op.create_index('ix_report_template_accounts_account', ['ad_account_id', 'template_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_template_accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_report_template_accounts_account')
    op.drop_table('report_template_accounts')
    with op.batch_alter_table('report_templates', schema=None) as batch_op:
        batch_op.drop_index('ix_report_templates_account_id')
    op.drop_table('report_templates')
