"""offline visits: the device's UUID, token, place and receipt time on visit_attempt

Revision ID: 5c1d7a2e9b40
Revises: af4fa3e0e3bc
Create Date: 2026-11-23 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '5c1d7a2e9b40'
down_revision = 'af4fa3e0e3bc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('visit_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_uuid', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('device_token_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lon', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('accuracy_m', sa.Float(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_visit_attempt_client_uuid'), ['client_uuid'])
        batch_op.create_foreign_key(batch_op.f('fk_visit_attempt_device_token_id_device_token'),
                                    'device_token', ['device_token_id'], ['id'])


def downgrade():
    with op.batch_alter_table('visit_attempt', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_visit_attempt_device_token_id_device_token'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_visit_attempt_client_uuid'), type_='unique')
        batch_op.drop_column('accuracy_m')
        batch_op.drop_column('lon')
        batch_op.drop_column('lat')
        batch_op.drop_column('received_at')
        batch_op.drop_column('device_token_id')
        batch_op.drop_column('client_uuid')
