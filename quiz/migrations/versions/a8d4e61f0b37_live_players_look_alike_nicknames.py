"""Live players: a look-alike key per nickname, unique per session, so a twin name with other letters is taken

Revision ID: a8d4e61f0b37
Revises: f3a9d2c7e164
Create Date: 2026-12-03 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8d4e61f0b37'
down_revision = 'f3a9d2c7e164'
branch_labels = None
depends_on = None


def upgrade():
    # Players already seated keep NULL, which never clashes: only their case-folded name is compared.
    with op.batch_alter_table('live_players', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nickname_skeleton', sa.String(length=200), nullable=True))
        batch_op.create_index('uq_live_players_session_id_nickname_skeleton',
                              ['session_id', 'nickname_skeleton'], unique=True)


def downgrade():
    with op.batch_alter_table('live_players', schema=None) as batch_op:
        batch_op.drop_index('uq_live_players_session_id_nickname_skeleton')
        batch_op.drop_column('nickname_skeleton')
