"""invitation expiry, a campaign's open link and helpline, open-link drafts without invitation

Revision ID: b7e2c91d4f60
Revises: 7e3b9c4d1f62
Create Date: 2026-11-24 09:00:00.000000

The channel ``open_link`` needs no DDL: channels are stored as strings (no native enum).

On SQLite, ``campaign`` and ``invitation`` are referenced by other tables, so their columns are
added and dropped in place (ALTER TABLE … ADD / DROP COLUMN, SQLite 3.35+), never by copying
the table, which foreign keys forbid once rows exist; ``open_link``'s default is therefore a
plain literal. Only ``response_draft`` (referenced by nothing) is copied, to relax a NOT NULL.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b7e2c91d4f60'
down_revision = '7e3b9c4d1f62'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('invitation', sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('campaign', sa.Column('open_link', sa.Boolean(), server_default='0', nullable=False))
    op.add_column('campaign', sa.Column('helpline', sa.String(length=64), nullable=True))

    with op.batch_alter_table('response_draft', schema=None) as batch_op:
        batch_op.alter_column('invitation_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('questionnaire_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_response_draft_campaign_id_campaign'),
                                    'campaign', ['campaign_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_response_draft_unit_id_admin_unit'),
                                    'admin_unit', ['unit_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_response_draft_questionnaire_version_id_questionnaire_version'),
                                    'questionnaire_version', ['questionnaire_version_id'], ['id'])


def _refuse_losing_open_link_answers():
    """The old schema cannot hold a draft without invitation, and the old code cannot read the
    channel ``open_link``: stop rather than drop or relabel respondents' answers."""
    conn = op.get_bind()
    drafts = conn.execute(sa.text("SELECT COUNT(*) FROM response_draft WHERE invitation_id IS NULL")).scalar()
    answers = conn.execute(sa.text("SELECT COUNT(*) FROM submission WHERE channel = 'open_link'")).scalar()
    if drafts or answers:
        raise RuntimeError(f"downgrade refused: {answers} open-link submissions and {drafts} open-link "
                           "drafts exist; export and remove them first")


def downgrade():
    _refuse_losing_open_link_answers()
    with op.batch_alter_table('response_draft', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_response_draft_questionnaire_version_id_questionnaire_version'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_response_draft_unit_id_admin_unit'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_response_draft_campaign_id_campaign'), type_='foreignkey')
        batch_op.drop_column('questionnaire_version_id')
        batch_op.drop_column('unit_id')
        batch_op.drop_column('campaign_id')
        batch_op.alter_column('invitation_id', existing_type=sa.Integer(), nullable=False)

    op.drop_column('campaign', 'helpline')
    op.drop_column('campaign', 'open_link')
    op.drop_column('invitation', 'expires_at')
