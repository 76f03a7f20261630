"""the catalogue and the NLU training data in the database

`data_documents` holds each YAML document of `catalogue/` and `nlu_data/` (kind, relative path,
content, who changed it last and when); `data_revisions` counts the changes of each kind, and a
writer bumps it first, so writers of every process are serialised and readers see a change by
reading one number. Filled from the repository's files by `python -m bot setup` (and at start)
when empty; the running app never writes the repository's files again.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 10:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_documents",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("kind", "path", name=op.f("pk_data_documents")),
    )
    op.create_table(
        "data_revisions",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_data_revisions")),
    )


def downgrade() -> None:
    op.drop_table("data_revisions")
    op.drop_table("data_documents")
