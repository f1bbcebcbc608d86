"""Live sessions: sessions, players and answers, each answer recorded once

Revision ID: bbcd66520a15
Revises: d12cd9825f1e
Create Date: 2026-11-24 04:09:07.767578

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bbcd66520a15'
down_revision = 'd12cd9825f1e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pin', sa.String(length=6), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=12), server_default='lobby', nullable=False),
    sa.Column('question_index', sa.Integer(), server_default='0', nullable=False),
    sa.Column('question_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('layout', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['host_id'], ['users.id'], name=op.f('fk_live_sessions_host_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_sessions'))
    )
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_sessions_host_id'), ['host_id'], unique=False)
        batch_op.create_index('uq_live_sessions_active_pin', ['pin'], unique=True, sqlite_where=sa.text('finished_at IS NULL'), postgresql_where=sa.text('finished_at IS NULL'))

    op.create_table('live_players',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('nickname', sa.String(length=40), nullable=False),
    sa.Column('nickname_key', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), server_default='0', nullable=False),
    sa.Column('streak', sa.Integer(), server_default='0', nullable=False),
    sa.Column('kicked', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_live_players_attempt_id_attempts')),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_players_session_id_live_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_players_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_players')),
    sa.UniqueConstraint('session_id', 'nickname_key', name=op.f('uq_live_players_session_id_nickname_key')),
    sa.UniqueConstraint('token', name=op.f('uq_live_players_token'))
    )
    with op.batch_alter_table('live_players', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_players_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_players_user_id'), ['user_id'], unique=False)

    op.create_table('live_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('player_id', sa.Integer(), nullable=False),
    sa.Column('question_index', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('elapsed_ms', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('bonus', sa.Integer(), server_default='0', nullable=False),
    sa.Column('streak', sa.Integer(), server_default='0', nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['player_id'], ['live_players.id'], name=op.f('fk_live_answers_player_id_live_players')),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_live_answers_question_id_questions')),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_answers_session_id_live_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_answers')),
    sa.UniqueConstraint('player_id', 'question_index', name=op.f('uq_live_answers_player_id_question_index'))
    )
    with op.batch_alter_table('live_answers', schema=None) as batch_op:
        batch_op.create_index('ix_live_answers_session_question', ['session_id', 'question_index'], unique=False)



def downgrade():
    with op.batch_alter_table('live_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_live_answers_session_question')

    op.drop_table('live_answers')
    with op.batch_alter_table('live_players', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_players_user_id'))
        batch_op.drop_index(batch_op.f('ix_live_players_session_id'))

    op.drop_table('live_players')
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_live_sessions_active_pin', sqlite_where=sa.text('finished_at IS NULL'), postgresql_where=sa.text('finished_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_live_sessions_host_id'))

    op.drop_table('live_sessions')
