"""submission place lookups: an enumerator's positions near a point, a village's positions

The intake's location checks read these for every interview with a position; an index on the
campaign alone made each read scan the whole campaign's positions.

Revision ID: 3f8a61c2d9e7
Revises: b7e2c91d4f60
Create Date: 2026-11-22 04:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3f8a61c2d9e7'
down_revision = 'b7e2c91d4f60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_submission_place_campaign_enumerator_lat', 'submission_place',
                    ['campaign_id', 'enumerator_id', 'lat'], unique=False)
    op.create_index('ix_submission_place_campaign_cluster', 'submission_place', ['campaign_id', 'cluster'],
                    unique=False)
    op.drop_index('ix_submission_place_campaign_id', table_name='submission_place')


def downgrade():
    op.create_index('ix_submission_place_campaign_id', 'submission_place', ['campaign_id'], unique=False)
    op.drop_index('ix_submission_place_campaign_cluster', table_name='submission_place')
    op.drop_index('ix_submission_place_campaign_enumerator_lat', table_name='submission_place')
