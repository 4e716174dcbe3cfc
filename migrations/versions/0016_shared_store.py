"""shared store: the files every web process sees (stored_file, stored_file_part) and the state of
background jobs (job), so several web machines and workers share them through the database

Files kept on the disk before (UPLOAD_FOLDER/evidence, answers, publications) are still read from
there until ``flask --app wsgi files migrate`` moves them in. Job states of ``instance/jobs/*.json``
are not carried over: a job started before the upgrade is started again.

Revision ID: 0016g7store
Revises: 0017i9plan
Create Date: 2026-12-05 12:45:00.000000

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0016g7store'
down_revision = '0017i9plan'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stored_file',
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('sha256', name=op.f('pk_stored_file')))
    op.create_table(
        'stored_file_part',
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['sha256'], ['stored_file.sha256'], ondelete='CASCADE',
                                name=op.f('fk_stored_file_part_sha256_stored_file')),
        sa.PrimaryKeyConstraint('sha256', 'number', name=op.f('pk_stored_file_part')))
    op.create_table(
        'job',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('params', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                  nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('filename', sa.String(length=120), nullable=True),
        sa.Column('file_sha256', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='SET NULL',
                                name=op.f('fk_job_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')))
    with op.batch_alter_table('job') as batch:
        batch.create_index(batch.f('ix_job_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job') as batch:
        batch.drop_index(batch.f('ix_job_user_id'))
    op.drop_table('job')
    op.drop_table('stored_file_part')
    op.drop_table('stored_file')
