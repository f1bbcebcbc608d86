"""Serving runs: when each quiz serve began and stopped serving, so a restart knows its outage

Revision ID: c4e1a9d2b7f3
Revises: f3b8d1c6a2e4
Create Date: 2026-12-04 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a9d2b7f3'
down_revision = 'f3b8d1c6a2e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'serving_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_serving_runs')),
    )


def downgrade():
    op.drop_table('serving_runs')
