"""Flashcards: cards, card states, reviews, and each user's time zone, retention and new cards per day

Revision ID: d12cd9825f1e
Revises: ca4010e69163
Create Date: 2026-11-24 03:47:01.184528

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd12cd9825f1e'
down_revision = 'ca4010e69163'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('concept_id', sa.String(length=80), nullable=True),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('front', sa.Text(), nullable=False),
    sa.Column('back', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['concept_id'], ['concepts.id'], name=op.f('fk_cards_concept_id_concepts')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_cards_question_id_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cards')),
    sa.UniqueConstraint('key', name=op.f('uq_cards_key'))
    )
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cards_concept_id'), ['concept_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cards_question_id'), ['question_id'], unique=False)

    op.create_table('card_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('stability', sa.Float(), nullable=True),
    sa.Column('difficulty', sa.Float(), nullable=True),
    sa.Column('due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_review', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('lapses', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('pushed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_states_card_id_cards')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_card_states_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_states')),
    sa.UniqueConstraint('user_id', 'card_id', name=op.f('uq_card_states_user_id_card_id'))
    )
    with op.batch_alter_table('card_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_states_card_id'), ['card_id'], unique=False)
        batch_op.create_index('ix_card_states_user_due', ['user_id', 'due'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('elapsed_days', sa.Float(), nullable=True),
    sa.Column('interval_days', sa.Float(), nullable=False),
    sa.Column('state_before', sa.Integer(), nullable=False),
    sa.Column('state_after', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_reviews_card_id_cards')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reviews_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('user_id', 'card_id', 'version', name=op.f('uq_reviews_user_id_card_id_version'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_card_id'), ['card_id'], unique=False)
        batch_op.create_index('ix_reviews_user_reviewed_at', ['user_id', 'reviewed_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False))
        batch_op.add_column(sa.Column('desired_retention', sa.Float(), server_default='0.9', nullable=False))
        batch_op.add_column(sa.Column('new_cards_per_day', sa.Integer(), server_default='10', nullable=False))



def downgrade():
    # Dropping columns rebuilds the users table on SQLite, which loses the expression index
    # that batch mode cannot reflect: drop it first and make it again afterwards.
    op.drop_index("uq_users_lower_name", table_name="users")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('new_cards_per_day')
        batch_op.drop_column('desired_retention')
        batch_op.drop_column('time_zone')
    op.create_index("uq_users_lower_name", "users", [sa.text("lower(name)")], unique=True)

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_user_reviewed_at')
        batch_op.drop_index(batch_op.f('ix_reviews_card_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('card_states', schema=None) as batch_op:
        batch_op.drop_index('ix_card_states_user_due')
        batch_op.drop_index(batch_op.f('ix_card_states_card_id'))

    op.drop_table('card_states')
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cards_question_id'))
        batch_op.drop_index(batch_op.f('ix_cards_concept_id'))

    op.drop_table('cards')
