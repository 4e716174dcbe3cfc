"""sessions security: a session token per user, part of every session and remember cookie

A new token (logout, password change, ``flask user end-sessions``) ends every session of the user
in every web process. Existing sessions end at the upgrade: everyone signs in once more.

Revision ID: 0013e5secu
Revises: 0011c3life
Create Date: 2026-12-01 22:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013e5secu'
down_revision = '0011c3life'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))


def downgrade():
    # a plain DROP COLUMN (SQLite 3.35+ too): a batch copy of user_account would fail its foreign keys
    op.execute('ALTER TABLE user_account DROP COLUMN session_token')
