"""Live sessions have a title, shown in the lobby, the results and the list of sessions

Revision ID: f3b8d1c5a7e2
Revises: c41f8e2a6b95
Create Date: 2026-12-03 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b8d1c5a7e2'
down_revision = 'c41f8e2a6b95'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=120), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_column('title')
