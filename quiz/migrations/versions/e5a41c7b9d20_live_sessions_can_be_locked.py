"""Live sessions can be locked: nobody new joins, a removed player cannot come back as someone else

Revision ID: e5a41c7b9d20
Revises: bbcd66520a15
Create Date: 2026-11-24 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a41c7b9d20'
down_revision = 'bbcd66520a15'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked', sa.Boolean(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_column('locked')
