"""improvement plans: the unit whose points a task's sub-criterion puts at stake

Revision ID: 0017i9plan
Revises: 0014h8plan
Create Date: 2026-12-05 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017i9plan'
down_revision = '0014h8plan'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_task_criterion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_plan_task_criterion_unit_id_admin_unit'), 'admin_unit',
                                    ['unit_id'], ['id'])


def downgrade():
    with op.batch_alter_table('plan_task_criterion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_task_criterion_unit_id_admin_unit'), type_='foreignkey')
        batch_op.drop_column('unit_id')
