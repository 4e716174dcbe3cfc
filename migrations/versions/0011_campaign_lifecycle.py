"""campaign lifecycle: per-round deadlines, the appraisal council, sign-offs, changes with a reason

Revision ID: 0011c3life
Revises: 0009a1publ
Create Date: 2026-12-01 21:30:00.000000

The new status ``self_assessment`` needs no DDL: ``enum_column`` stores statuses as strings
(VARCHAR(24), no native enum, no check constraint) on both databases. The downgrade refuses
while a campaign is in that status, which the old code cannot read.

``self_assessment`` is referenced by ``score``, so its column is added and dropped in place
(ALTER TABLE … ADD / DROP COLUMN), never by copying the table.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011c3life'
down_revision = '0009a1publ'
branch_labels = None
depends_on = None


def _fk(column, table, nullable=False):
    return (column, table, nullable)


def _table(name, *columns, unique=None):
    """A table named by the models' naming convention (pk, uq and fk names included)."""
    constraints = [sa.PrimaryKeyConstraint('id', name=f'pk_{name}')]
    columns = [sa.Column(c[0], sa.Integer(), sa.ForeignKey(f'{c[1]}.id', name=f'fk_{name}_{c[0]}_{c[1]}'),
                         nullable=c[2]) if isinstance(c, tuple) else c for c in columns]
    if unique:
        constraints.append(sa.UniqueConstraint(*unique, name=f'uq_{name}_{"_".join(unique)}'))
    op.create_table(name, sa.Column('id', sa.Integer(), nullable=False), *columns, *constraints)


def upgrade():
    _table('round_deadline', _fk('campaign_id', 'campaign'), sa.Column('number', sa.Integer(), nullable=False),
           sa.Column('due', sa.Date(), nullable=False), unique=('campaign_id', 'number'))
    _table('council_member', _fk('campaign_id', 'campaign'), _fk('user_id', 'user_account'),
           unique=('campaign_id', 'user_id'))
    _table('council_assignment', _fk('campaign_id', 'campaign'), _fk('unit_id', 'admin_unit'),
           _fk('user_id', 'user_account'), unique=('campaign_id', 'unit_id'))
    _table('unit_sign_off', _fk('campaign_id', 'campaign'), _fk('unit_id', 'admin_unit'),
           _fk('round_id', 'appraisal_round'), _fk('user_id', 'user_account', nullable=True),
           sa.Column('at', sa.DateTime(timezone=True), nullable=False), unique=('campaign_id', 'unit_id'))
    _table('lifecycle_change', _fk('campaign_id', 'campaign'), sa.Column('kind', sa.String(16), nullable=False),
           sa.Column('target', sa.String(64), nullable=False), _fk('unit_id', 'admin_unit', nullable=True),
           sa.Column('before', sa.String(64), nullable=True), sa.Column('after', sa.String(64), nullable=True),
           sa.Column('reason', sa.Text(), nullable=False), _fk('user_id', 'user_account', nullable=True),
           sa.Column('at', sa.DateTime(timezone=True), nullable=False))
    op.create_index('ix_lifecycle_change_campaign_id', 'lifecycle_change', ['campaign_id'], unique=False)
    op.add_column('self_assessment', sa.Column('reopened_until', sa.Date(), nullable=True))


def downgrade():
    conn = op.get_bind()
    waiting = conn.execute(sa.text("SELECT COUNT(*) FROM campaign WHERE status = 'self_assessment'")).scalar()
    if waiting:
        raise RuntimeError(f"downgrade refused: {waiting} campaigns are in self-assessment, a status the "
                           "older schema's code cannot read; advance them first")
    op.drop_column('self_assessment', 'reopened_until')
    op.drop_index('ix_lifecycle_change_campaign_id', table_name='lifecycle_change')
    for name in ('lifecycle_change', 'unit_sign_off', 'council_assignment', 'council_member', 'round_deadline'):
        op.drop_table(name)
