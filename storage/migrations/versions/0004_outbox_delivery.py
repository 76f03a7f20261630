"""outbox delivery: claim leases, parts sent, receipts, ZNS; channel_tokens (Zalo token pair)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("locked_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("send_started_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("parts_sent", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("part_ids", sa.JSON, nullable=True))
        batch.add_column(sa.Column("error_code", sa.String(32), nullable=True))
        batch.add_column(sa.Column("via", sa.String(16), nullable=True))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_conversation_status", "outbox", ["conversation_id", "status", "id"])
    op.create_index("ix_outbox_platform_message", "outbox", ["channel", "platform_message_id"])
    op.create_table(
        "channel_tokens",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("access_token", sa.Text, nullable=False),
        sa.Column("refresh_token", sa.Text, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshing_by", sa.String(64), nullable=True),
        sa.Column("refreshing_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("channel_tokens")
    op.drop_index("ix_outbox_platform_message", "outbox")
    op.drop_index("ix_outbox_conversation_status", "outbox")
    with op.batch_alter_table("outbox") as batch:
        for name in ("read_at", "delivered_at", "via", "error_code", "part_ids", "parts_sent",
                     "send_started_at", "locked_until", "locked_by"):
            batch.drop_column(name)
