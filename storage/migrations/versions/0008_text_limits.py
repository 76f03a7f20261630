"""text columns sized for what platforms send (placeholder, filled by the change that needs it)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
