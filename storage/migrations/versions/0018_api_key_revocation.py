"""Open311 API keys can be revoked: `api_clients.revoked_at`

A revoked client keeps its row (`active` false), listed with when its key was revoked, from the
CLI (`python -m bot open311 keys revoke`) or the console's admin page.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-06 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_clients") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_clients") as batch:
        batch.drop_column("revoked_at")
