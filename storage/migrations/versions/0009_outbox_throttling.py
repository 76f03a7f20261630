"""outbox: throttling is not failure (throttle count, give-up age, missed rows, platform pauses)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 06:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("throttles", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("missed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "channel_pauses",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
    )
    # Rows that failed before this change are not "missed" in the new sense: later rows of their
    # conversations already went out, so they keep 'failed' but hold nothing back (see
    # storage/outbox_queue.py: only a failed row with missed_at set holds its conversation).


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'pending' WHERE status = 'held'")
    op.execute("UPDATE outbox SET status = 'failed' WHERE status = 'dismissed'")
    op.drop_table("channel_pauses")
    with op.batch_alter_table("outbox") as batch:
        for name in ("missed_at", "first_failed_at", "throttles"):
            batch.drop_column(name)
