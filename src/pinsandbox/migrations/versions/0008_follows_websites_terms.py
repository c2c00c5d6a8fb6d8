"""user account: follows (users, boards, interests), websites and what sandbox websites serve; terms of
service acceptances

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-24 13:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('user_follows',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('follower_user_id', sa.BigInteger(), nullable=False),
    sa.Column('followee_user_id', sa.BigInteger(), nullable=False),
    sa.Column('auto_follow', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_time', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['follower_user_id'], ['users.id'], name=op.f('fk_user_follows_follower_user_id_users'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['followee_user_id'], ['users.id'], name=op.f('fk_user_follows_followee_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_follows')),
    sa.UniqueConstraint('follower_user_id', 'followee_user_id', name='uq_user_follows_pair')
    )
    with op.batch_alter_table('user_follows', schema=None) as batch_op:
        batch_op.create_index('ix_user_follows_followee', ['followee_user_id', 'id'], unique=False)

    op.create_table('board_follows',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('board_id', sa.BigInteger(), nullable=False),
    sa.Column('created_time', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_board_follows_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_follows_board_id_boards'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_follows')),
    sa.UniqueConstraint('user_id', 'board_id', name='uq_board_follows_pair')
    )
    with op.batch_alter_table('board_follows', schema=None) as batch_op:
        batch_op.create_index('ix_board_follows_board', ['board_id', 'id'], unique=False)

    op.create_table('interest_follows',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('interest_id', sa.String(length=20), nullable=False),
    sa.Column('created_time', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_interest_follows_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_follows')),
    sa.UniqueConstraint('user_id', 'interest_id', name='uq_interest_follows_pair')
    )

    op.create_table('user_websites',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('website', sa.String(length=512), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('verification_method', sa.String(length=16), nullable=False),
    sa.Column('verified_at', sa.String(length=32), nullable=True),
    sa.Column('created_time', sa.BigInteger(), nullable=False),
    sa.Column('updated_time', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_websites_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_websites')),
    sa.UniqueConstraint('user_id', 'website', name='uq_user_websites_pair')
    )
    with op.batch_alter_table('user_websites', schema=None) as batch_op:
        batch_op.create_index('ix_user_websites_website', ['website', 'status'], unique=False)

    op.create_table('sandbox_websites',
    sa.Column('website', sa.String(length=512), nullable=False),
    sa.Column('meta_tag', sa.Text(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_content', sa.Text(), nullable=True),
    sa.Column('dns_txt', JSON, nullable=True),
    sa.Column('updated_time', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('website', name=op.f('pk_sandbox_websites'))
    )

    op.create_table('terms_of_service_acceptances',
    sa.Column('ad_account_id', sa.BigInteger(), nullable=False),
    sa.Column('tos_type', sa.String(length=32), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('updated_time', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['ad_account_id'], ['ad_accounts.id'],
                            name=op.f('fk_terms_of_service_acceptances_ad_account_id_ad_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ad_account_id', 'tos_type', name=op.f('pk_terms_of_service_acceptances'))
    )


def downgrade() -> None:
    op.drop_table('terms_of_service_acceptances')
    op.drop_table('sandbox_websites')
    with op.batch_alter_table('user_websites', schema=None) as batch_op:
        batch_op.drop_index('ix_user_websites_website')
    op.drop_table('user_websites')
    op.drop_table('interest_follows')
    with op.batch_alter_table('board_follows', schema=None) as batch_op:
        batch_op.drop_index('ix_board_follows_board')
    op.drop_table('board_follows')
    with op.batch_alter_table('user_follows', schema=None) as batch_op:
        batch_op.drop_index('ix_user_follows_followee')
    op.drop_table('user_follows')
