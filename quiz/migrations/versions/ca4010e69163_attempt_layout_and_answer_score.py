"""Attempt layout, answer score, names unique whatever their case

Revision ID: ca4010e69163
Revises: fa6f38b2b9b2
Create Date: 2026-11-24 03:10:50.374443

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ca4010e69163'
down_revision = 'fa6f38b2b9b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("uq_users_lower_name", "users", [sa.text("lower(name)")], unique=True)
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=False, server_default='0'))

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('layout', sa.JSON(), nullable=False, server_default='{}'))



def downgrade():
    op.drop_index("uq_users_lower_name", table_name="users")
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('layout')

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('score')

