"""mixed mode and one interview per case: invitations per sampled case, respondent lines,
self-completed visits, why a send was kept aside

Existing interviews of a case are numbered 1, 2, … in the order they were received, so a
case that took several before this revision keeps them all, and any new one is refused.

Revision ID: 0012d4chan
Revises: 0013e5secu
Create Date: 2026-12-01 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0012d4chan'
down_revision = '0013e5secu'
branch_labels = None
depends_on = None


def _sqlite_foreign_keys(on: bool):
    """SQLite: the batch copies of referenced tables (invitation, submission) drop and rename the
    old table, which the foreign-key checks refuse while rows point at it; so they are off
    around these steps (the pragma works outside a transaction only: what came before is
    committed first), and the whole database is checked before they are on again."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    raw = bind.connection.dbapi_connection
    raw.commit()
    if on:
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    _sqlite_foreign_keys(False)
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitation_case_id_sample_case'), 'sample_case',
                                    ['case_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_invitation_case_id'), ['case_id'])
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respondent_line', sa.Integer(), nullable=True))
    op.execute("""
        UPDATE submission SET respondent_line = (
            SELECT COUNT(*) FROM submission AS earlier
            WHERE earlier.case_id = submission.case_id AND earlier.id <= submission.id)
        WHERE case_id IS NOT NULL""")
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_submission_case_id_respondent_line'),
                                          ['case_id', 'respondent_line'])
    with op.batch_alter_table('visit_attempt', schema=None) as batch_op:
        batch_op.alter_column('enumerator_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question', sa.String(length=128), nullable=True))
    with op.batch_alter_table('submission_conflict', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=24), nullable=False,
                                      server_default='same_uuid'))
    _sqlite_foreign_keys(True)


def downgrade():
    _sqlite_foreign_keys(False)
    with op.batch_alter_table('submission_conflict', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.drop_column('question')
    op.execute("DELETE FROM visit_attempt WHERE enumerator_id IS NULL")
    with op.batch_alter_table('visit_attempt', schema=None) as batch_op:
        batch_op.alter_column('enumerator_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_submission_case_id_respondent_line'), type_='unique')
        batch_op.drop_column('respondent_line')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_invitation_case_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_invitation_case_id_sample_case'), type_='foreignkey')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('case_id')
    _sqlite_foreign_keys(True)
