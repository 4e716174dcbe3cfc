"""submission conflicts: the answers' digest on sync receipts, sends kept aside

A receipt written before this revision has no digest (``NULL``): a resend of its UUID is
treated as matching, as before. Only receipts written from now on can tell that a resend
carries other answers.

Revision ID: 7e3b9c4d1f62
Revises: 5c1d7a2e9b40
Create Date: 2026-11-30 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '7e3b9c4d1f62'
down_revision = '5c1d7a2e9b40'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('sync_receipt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answers_digest', sa.String(length=64), nullable=True))
    op.create_table('submission_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_uuid', sa.String(length=64), nullable=False),
    sa.Column('answers_digest', sa.String(length=64), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('enumerator_id', sa.Integer(), nullable=True),
    sa.Column('device_token_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answers', JSON, nullable=False),
    sa.Column('paradata', JSON, nullable=False),
    sa.Column('status', sa.Enum('open', 'resolved', name='conflictstatus', native_enum=False, length=24), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('submission_edit_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['device_token_id'], ['device_token.id'], name=op.f('fk_submission_conflict_device_token_id_device_token')),
    sa.ForeignKeyConstraint(['enumerator_id'], ['user_account.id'], name=op.f('fk_submission_conflict_enumerator_id_user_account')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user_account.id'], name=op.f('fk_submission_conflict_resolved_by_id_user_account')),
    sa.ForeignKeyConstraint(['submission_edit_id'], ['submission_edit.id'], name=op.f('fk_submission_conflict_submission_edit_id_submission_edit')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_conflict_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_conflict')),
    sa.UniqueConstraint('client_uuid', 'answers_digest', name=op.f('uq_submission_conflict_client_uuid_answers_digest'))
    )
    with op.batch_alter_table('submission_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_conflict_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_conflict_submission_id'), ['submission_id'], unique=False)


def downgrade():
    with op.batch_alter_table('submission_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_conflict_submission_id'))
        batch_op.drop_index(batch_op.f('ix_submission_conflict_status'))
    op.drop_table('submission_conflict')
    with op.batch_alter_table('sync_receipt', schema=None) as batch_op:
        batch_op.drop_column('answers_digest')
