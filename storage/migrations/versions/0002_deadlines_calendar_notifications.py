"""case deadlines, calendar, staff notifications, surveys, labelled examples

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 15:25:04.433745
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('labelled_examples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('intent', sa.String(length=32), nullable=True),
    sa.Column('procedure_id', sa.String(length=64), nullable=True),
    sa.Column('agency_id', sa.String(length=64), nullable=True),
    sa.Column('previous_procedure_id', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('case_code', sa.String(length=20), nullable=True),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labelled_examples'))
    )
    op.create_table('staff_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('ward', sa.String(length=128), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('case_code', sa.String(length=20), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dedupe_key', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_staff_notifications_dedupe_key'))
    )
    with op.batch_alter_table('staff_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_notifications_agency_id'), ['agency_id'], unique=False)

    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_code', sa.String(length=20), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=True),
    sa.Column('criterion', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('case_code', 'criterion', name='uq_survey_answers_case_criterion')
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answers_agency_id'), ['agency_id'], unique=False)

    op.create_table('case_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('met_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_deadlines_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_deadlines'))
    )
    with op.batch_alter_table('case_deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_deadlines_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_deadlines_due_at'), ['due_at'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('survey_started_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('survey_started_at')
        batch_op.drop_column('closed_at')

    with op.batch_alter_table('case_deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_deadlines_due_at'))
        batch_op.drop_index(batch_op.f('ix_case_deadlines_case_id'))

    op.drop_table('case_deadlines')
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answers_agency_id'))

    op.drop_table('survey_answers')
    with op.batch_alter_table('staff_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_notifications_agency_id'))

    op.drop_table('staff_notifications')
    op.drop_table('labelled_examples')
    op.drop_table('calendar_days')
