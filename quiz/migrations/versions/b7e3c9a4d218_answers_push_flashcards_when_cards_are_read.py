"""A wrong answer brings flashcards forward when the learner's cards are next read

Revision ID: b7e3c9a4d218
Revises: e5a41c7b9d20
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3c9a4d218'
down_revision = 'e5a41c7b9d20'
branch_labels = None
depends_on = None


def upgrade():
    # Answers recorded before this revision already moved their cards: none is pending.
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('push_pending', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index('ix_answers_push_pending', 'answers', ['attempt_id'], unique=False,
                    sqlite_where=sa.text('push_pending = 1'), postgresql_where=sa.text('push_pending'))


def downgrade():
    op.drop_index('ix_answers_push_pending', table_name='answers')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('push_pending')
