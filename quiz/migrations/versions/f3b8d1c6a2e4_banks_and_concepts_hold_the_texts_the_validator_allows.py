"""Bank titles and concept terms are as long as the validator allows (2,000 characters, was 200)

Revision ID: f3b8d1c6a2e4
Revises: a8d4e61f0b37
Create Date: 2026-12-03 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b8d1c6a2e4'
down_revision = 'a8d4e61f0b37'
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite the tables are rebuilt (env.py turns foreign keys off around migrations for that).
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.alter_column('title', existing_type=sa.String(length=200), type_=sa.String(length=2000),
                              existing_nullable=False)
    with op.batch_alter_table('concepts', schema=None) as batch_op:
        batch_op.alter_column('term', existing_type=sa.String(length=200), type_=sa.String(length=2000),
                              existing_nullable=False)


def downgrade():
    # Texts longer than 200 characters would not fit: they are cut, as the old columns required.
    op.execute("UPDATE banks SET title = substr(title, 1, 200)")
    op.execute("UPDATE concepts SET term = substr(term, 1, 200)")
    with op.batch_alter_table('concepts', schema=None) as batch_op:
        batch_op.alter_column('term', existing_type=sa.String(length=2000), type_=sa.String(length=200),
                              existing_nullable=False)
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.alter_column('title', existing_type=sa.String(length=2000), type_=sa.String(length=200),
                              existing_nullable=False)
