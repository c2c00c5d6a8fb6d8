"""organic: board sections, group board collaborators, media uploads; pins by section

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-24 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('board_collaborators',
    sa.Column('board_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('created_time', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_collaborators_board_id_boards'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_board_collaborators_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('board_id', 'user_id', name=op.f('pk_board_collaborators'))
    )
    with op.batch_alter_table('board_collaborators', schema=None) as batch_op:
        batch_op.create_index('ix_board_collaborators_user', ['user_id', 'board_id'], unique=False)

    op.create_table('board_sections',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('created_time', sa.BigInteger(), nullable=False),
    sa.Column('updated_time', sa.BigInteger(), nullable=False),
    sa.Column('board_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=180), nullable=False),
    sa.ForeignKeyConstraint(['board_id'], ['boards.id'], name=op.f('fk_board_sections_board_id_boards'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_board_sections'))
    )
    with op.batch_alter_table('board_sections', schema=None) as batch_op:
        batch_op.create_index('ix_board_sections_board', ['board_id', 'id'], unique=False)

    op.create_table('media_uploads',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('created_time', sa.BigInteger(), nullable=False),
    sa.Column('updated_time', sa.BigInteger(), nullable=False),
    sa.Column('owner_user_id', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=16), nullable=False),
    sa.Column('uploaded_at_ms', sa.BigInteger(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_media_uploads_owner_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_uploads'))
    )
    with op.batch_alter_table('media_uploads', schema=None) as batch_op:
        batch_op.create_index('ix_media_uploads_owner_id', ['owner_user_id', 'id'], unique=False)

    with op.batch_alter_table('pins', schema=None) as batch_op:
        batch_op.create_index('ix_pins_section', ['board_section_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pins', schema=None) as batch_op:
        batch_op.drop_index('ix_pins_section')
    with op.batch_alter_table('media_uploads', schema=None) as batch_op:
        batch_op.drop_index('ix_media_uploads_owner_id')
    op.drop_table('media_uploads')
    with op.batch_alter_table('board_sections', schema=None) as batch_op:
        batch_op.drop_index('ix_board_sections_board')
    op.drop_table('board_sections')
    with op.batch_alter_table('board_collaborators', schema=None) as batch_op:
        batch_op.drop_index('ix_board_collaborators_user')
    op.drop_table('board_collaborators')
