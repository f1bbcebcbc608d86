"""Readiness checks: the one row /readyz writes to prove the database takes a write

Revision ID: f3b8d1c6a7e4
Revises: f3b8d1c5a7e2
Create Date: 2026-11-25 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b8d1c6a7e4'
down_revision = 'f3b8d1c5a7e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'readiness_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_checks')),
    )


def downgrade():
    op.drop_table('readiness_checks')
