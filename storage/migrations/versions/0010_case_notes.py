"""case events: internal note apart from the message to the citizen (placeholder)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
