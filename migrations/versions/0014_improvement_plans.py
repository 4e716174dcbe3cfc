"""improvement plans: national index results, plans, targets, tasks, reporting periods,
progress reports and their evidence

Revision ID: 0014h8plan
Revises: 0012d4chan
Create Date: 2026-12-05 12:30:27.280653

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014h8plan'
down_revision = '0012d4chan'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('national_index_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('national_index', sa.Enum('par_index', 'sipas', 'papi', 'pci', name='nationalindex', native_enum=False, length=24), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('province', sa.String(length=120), nullable=False),
    sa.Column('score', sa.Numeric(precision=9, scale=3), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('group_name', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_national_index_result')),
    sa.UniqueConstraint('national_index', 'year', 'province', name=op.f('uq_national_index_result_national_index_year_province'))
    )
    op.create_table('improvement_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('base_publication_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'issued', 'closed', name='planstatus', native_enum=False, length=24), nullable=False),
    sa.Column('issuing_body', sa.String(length=200), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('signer', sa.String(length=200), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('organisation', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['base_publication_id'], ['publication.id'], name=op.f('fk_improvement_plan_base_publication_id_publication')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_improvement_plan_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['province_id'], ['admin_unit.id'], name=op.f('fk_improvement_plan_province_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_plan')),
    sa.UniqueConstraint('code', name=op.f('uq_improvement_plan_code'))
    )
    op.create_table('plan_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('index_percent', 'grade', 'rank', 'places_gained', 'field_percent', 'survey_indicator', 'national_score', 'national_rank', 'national_group', name='targetkind', native_enum=False, length=24), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('national_index', sa.Enum('par_index', 'sipas', 'papi', 'pci', name='nationalindex', native_enum=False, length=24), nullable=True),
    sa.Column('baseline', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['improvement_plan.id'], name=op.f('fk_plan_target_plan_id_improvement_plan')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_plan_target_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_target'))
    )
    with op.batch_alter_table('plan_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_target_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('lead_unit_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('expected_points', sa.Numeric(precision=9, scale=3), nullable=True),
    sa.Column('national_index', sa.Enum('par_index', 'sipas', 'papi', 'pci', name='nationalindex', native_enum=False, length=24), nullable=True),
    sa.Column('national_component', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user_account.id'], name=op.f('fk_plan_task_accepted_by_id_user_account')),
    sa.ForeignKeyConstraint(['lead_unit_id'], ['admin_unit.id'], name=op.f('fk_plan_task_lead_unit_id_admin_unit')),
    sa.ForeignKeyConstraint(['plan_id'], ['improvement_plan.id'], name=op.f('fk_plan_task_plan_id_improvement_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_task')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_plan_task_plan_id_number'))
    )
    with op.batch_alter_table('plan_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_task_lead_unit_id'), ['lead_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_task_plan_id'), ['plan_id'], unique=False)

    op.create_table('reporting_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('quarter', 'half_year', 'year', name='periodkind', native_enum=False, length=24), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['improvement_plan.id'], name=op.f('fk_reporting_period_plan_id_improvement_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_period')),
    sa.UniqueConstraint('plan_id', 'label', name=op.f('uq_reporting_period_plan_id_label'))
    )
    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_period_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_task_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('points_at_stake', sa.Numeric(precision=9, scale=3), nullable=True),
    sa.ForeignKeyConstraint(['node_id'], ['framework_node.id'], name=op.f('fk_plan_task_criterion_node_id_framework_node')),
    sa.ForeignKeyConstraint(['task_id'], ['plan_task.id'], name=op.f('fk_plan_task_criterion_task_id_plan_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_task_criterion')),
    sa.UniqueConstraint('task_id', 'node_id', name=op.f('uq_plan_task_criterion_task_id_node_id'))
    )
    with op.batch_alter_table('plan_task_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_task_criterion_task_id'), ['task_id'], unique=False)

    op.create_table('plan_task_partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['plan_task.id'], name=op.f('fk_plan_task_partner_task_id_plan_task')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_unit.id'], name=op.f('fk_plan_task_partner_unit_id_admin_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_task_partner')),
    sa.UniqueConstraint('task_id', 'unit_id', name=op.f('uq_plan_task_partner_task_id_unit_id'))
    )
    with op.batch_alter_table('plan_task_partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_task_partner_task_id'), ['task_id'], unique=False)

    op.create_table('progress_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'done', 'at_risk', name='taskprogress', native_enum=False, length=24), nullable=False),
    sa.Column('account', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_period.id'], name=op.f('fk_progress_report_period_id_reporting_period')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], name=op.f('fk_progress_report_submitted_by_id_user_account')),
    sa.ForeignKeyConstraint(['task_id'], ['plan_task.id'], name=op.f('fk_progress_report_task_id_plan_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_report')),
    sa.UniqueConstraint('task_id', 'period_id', name=op.f('uq_progress_report_task_id_period_id'))
    )
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_report_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progress_report_task_id'), ['task_id'], unique=False)

    op.create_table('progress_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['progress_report.id'], name=op.f('fk_progress_evidence_report_id_progress_report')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_progress_evidence_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_evidence'))
    )
    with op.batch_alter_table('progress_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_evidence_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('progress_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_evidence_report_id'))

    op.drop_table('progress_evidence')
    with op.batch_alter_table('progress_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_report_task_id'))
        batch_op.drop_index(batch_op.f('ix_progress_report_period_id'))

    op.drop_table('progress_report')
    with op.batch_alter_table('plan_task_partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_task_partner_task_id'))

    op.drop_table('plan_task_partner')
    with op.batch_alter_table('plan_task_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_task_criterion_task_id'))

    op.drop_table('plan_task_criterion')
    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reporting_period_plan_id'))

    op.drop_table('reporting_period')
    with op.batch_alter_table('plan_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_task_plan_id'))
        batch_op.drop_index(batch_op.f('ix_plan_task_lead_unit_id'))

    op.drop_table('plan_task')
    with op.batch_alter_table('plan_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_target_plan_id'))

    op.drop_table('plan_target')
    op.drop_table('improvement_plan')
    op.drop_table('national_index_result')
