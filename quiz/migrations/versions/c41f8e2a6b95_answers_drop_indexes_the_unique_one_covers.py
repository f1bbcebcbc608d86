"""Answers keep one index on attempt and question: the two single-column ones went unused

Revision ID: c41f8e2a6b95
Revises: b7e3c9a4d218
Create Date: 2026-11-24 09:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c41f8e2a6b95'
down_revision = 'b7e3c9a4d218'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_answers_attempt_id', table_name='answers')
    op.drop_index('ix_answers_question_id', table_name='answers')


def downgrade():
    op.create_index('ix_answers_question_id', 'answers', ['question_id'], unique=False)
    op.create_index('ix_answers_attempt_id', 'answers', ['attempt_id'], unique=False)
