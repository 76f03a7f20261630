"""hand-off to the national PAKN system (Cổng dịch vụ công quốc gia)

A case keeps the code the national PAKN system gave it (`national_code`: opaque text, unique), the
national status as staff read it there, unmapped or not (`national_status`), when that status was
taken (`national_synced_at`) and a link to the case on the national portal (`national_url`).
Every change is also a line on the case's timeline and a row in the audit log.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("national_code", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("national_status", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("national_synced_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("national_url", sa.String(length=512), nullable=True))
        batch.create_unique_constraint(op.f("uq_cases_national_code"), ["national_code"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint(op.f("uq_cases_national_code"), type_="unique")
        batch.drop_column("national_url")
        batch.drop_column("national_synced_at")
        batch.drop_column("national_status")
        batch.drop_column("national_code")
