"""publications: the frozen, numbered record of a campaign's published results; units_see_results

Revision ID: 0009a1publ
Revises: 3f8a61c2d9e7
Create Date: 2026-12-01 21:30:00.000000

``campaign.units_see_results`` is added and dropped in place (ALTER TABLE, SQLite 3.35+), never
by copying the table, which foreign keys forbid once rows exist (as in 0007).

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0009a1publ'
down_revision = '3f8a61c2d9e7'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'publication',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('decision_number', sa.String(length=64), nullable=False),
        sa.Column('decision_date', sa.Date(), nullable=False),
        sa.Column('signer', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('appraisal', JSON, nullable=False),
        sa.Column('document', JSON, nullable=False),
        sa.Column('changes', JSON, nullable=False),
        sa.Column('report_sha256', sa.String(length=64), nullable=True),
        sa.Column('report_file', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_publication_campaign_id_campaign')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_publication_created_by_id_user_account')),
        sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], name=op.f('fk_publication_run_id_analysis_run')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
        sa.UniqueConstraint('campaign_id', 'version', name=op.f('uq_publication_campaign_id_version')),
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_campaign_id'), ['campaign_id'], unique=False)
    op.add_column('campaign', sa.Column('units_see_results', sa.Boolean(), server_default='0', nullable=False))


def downgrade():
    op.drop_column('campaign', 'units_see_results')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_campaign_id'))
    op.drop_table('publication')
