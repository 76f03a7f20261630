"""publication of results: consent, masked public text and answer, masking review; Open311 API clients

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-29 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): SQLite keeps the rows and the foreign keys to cases.
    op.add_column("cases", sa.Column("publish_consent", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    for column in (sa.Column("public_text", sa.Text(), nullable=True),
                   sa.Column("public_answer", sa.Text(), nullable=True),
                   sa.Column("public_search", sa.Text(), nullable=True),
                   sa.Column("masking_reviewed_by", sa.String(length=128), nullable=True),
                   sa.Column("masking_reviewed_at", sa.DateTime(timezone=True), nullable=True),
                   sa.Column("published_at", sa.DateTime(timezone=True), nullable=True)):
        op.add_column("cases", column)
    op.create_index("ix_cases_published_at", "cases", ["published_at"])
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_clients")),
        sa.UniqueConstraint("name", name=op.f("uq_api_clients_name")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_clients_key_hash")),
    )


def downgrade() -> None:
    op.drop_table("api_clients")
    op.drop_index("ix_cases_published_at", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        for column in ("published_at", "masking_reviewed_at", "masking_reviewed_by", "public_search",
                       "public_answer", "public_text", "publish_consent"):
            batch.drop_column(column)
