"""outbox: throttling is not failure (placeholder, filled by the change that needs it)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 06:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
