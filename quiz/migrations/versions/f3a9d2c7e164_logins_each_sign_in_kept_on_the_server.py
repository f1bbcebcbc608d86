"""Logins: each sign-in kept on the server, so that logging out, a password change or signing out everywhere ends it

Revision ID: f3a9d2c7e164
Revises: f3b8d1c6a7e4
Create Date: 2026-12-03 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a9d2c7e164'
down_revision = 'f3b8d1c6a7e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'logins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_logins_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_logins')),
        sa.UniqueConstraint('key', name=op.f('uq_logins_key')),
    )
    with op.batch_alter_table('logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logins_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_logins_expires_at'), ['expires_at'], unique=False)
    # Sessions from before this revision name no sign-in: everyone signs in once more.


def downgrade():
    with op.batch_alter_table('logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logins_expires_at'))
        batch_op.drop_index(batch_op.f('ix_logins_user_id'))
    op.drop_table('logins')
