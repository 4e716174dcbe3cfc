"""stored index figures: a campaign's index computed once per analysis run and appraisal state,
read by the pages, the API, the report and ``index compute``

Revision ID: 0015f6indx
Revises: 0016g7store
Create Date: 2026-12-05 12:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0015f6indx'
down_revision = '0016g7store'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stored_index',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('draws', sa.Integer(), nullable=False),
        sa.Column('seed', sa.Integer(), nullable=False),
        sa.Column('figures', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                                name=op.f('fk_stored_index_campaign_id_campaign')),
        sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], ondelete='CASCADE',
                                name=op.f('fk_stored_index_run_id_analysis_run')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_index')),
        sa.UniqueConstraint('campaign_id', 'fingerprint', name=op.f('uq_stored_index_campaign_id_fingerprint')),
    )
    with op.batch_alter_table('stored_index', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_index_campaign_id'), ['campaign_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stored_index', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_index_campaign_id'))
    op.drop_table('stored_index')
