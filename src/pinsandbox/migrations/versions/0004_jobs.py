"""jobs: the durable job runner's table

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('ad_account_id', sa.BigInteger(), nullable=True),
    sa.Column('params', JSON, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('result_path', sa.Text(), nullable=True),
    sa.Column('result_size', sa.BigInteger(), nullable=True),
    sa.Column('result_meta', JSON, nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('started_at', sa.BigInteger(), nullable=True),
    sa.Column('finished_at', sa.BigInteger(), nullable=True),
    sa.Column('expires_at', sa.BigInteger(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('worker', sa.String(length=128), nullable=True),
    sa.Column('lease_until', sa.BigInteger(), nullable=True),
    sa.Column('created_real', sa.BigInteger(), nullable=False),
    sa.Column('run_after', sa.BigInteger(), nullable=False),
    sa.Column('rush', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_status_run_after', ['status', 'run_after'], unique=False)
        batch_op.create_index('ix_jobs_account_kind', ['ad_account_id', 'kind'], unique=False)
        batch_op.create_index('ix_jobs_seq', ['seq'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_seq')
        batch_op.drop_index('ix_jobs_account_kind')
        batch_op.drop_index('ix_jobs_status_run_after')
    op.drop_table('jobs')
