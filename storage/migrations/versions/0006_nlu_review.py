"""NLU review queue, its collection cursors, and background training jobs

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-29 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nlu_review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("example_id", sa.Integer(), nullable=True),
        sa.Column("case_code", sa.String(length=20), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("predicted", sa.JSON(), nullable=True),
        sa.Column("suggested", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_review_items")),
        sa.UniqueConstraint("origin", name=op.f("uq_nlu_review_items_origin")),
    )
    op.create_index("ix_nlu_review_items_status", "nlu_review_items", ["status", "id"], unique=False)
    op.create_table(
        "nlu_review_cursors",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_nlu_review_cursors")),
    )
    op.create_table(
        "training_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.Column("baseline_version", sa.String(length=64), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_jobs")),
    )


def downgrade() -> None:
    op.drop_table("training_jobs")
    op.drop_table("nlu_review_cursors")
    op.drop_index("ix_nlu_review_items_status", table_name="nlu_review_items")
    op.drop_table("nlu_review_items")
