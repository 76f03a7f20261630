"""inbound events as claimable work: a thin acknowledgement, any number of workers

`inbound` holds each verified webhook event as acknowledged (one insert; a platform id seen before
is a duplicate). Workers claim rows under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), one per
sender at a time in platform order, and mark a row `done` in the transaction that records and
answers its message. Messages recorded before this queue and never processed (status `received`)
get a row here, pointing at the stored message, so that upgrading loses none of them.

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-06 10:00:00
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inbound = op.create_table(
        "inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("platform_message_id", sa.String(length=512), nullable=False),
        sa.Column("platform_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound")),
        sa.UniqueConstraint("channel", "platform_message_id", name="uq_inbound_channel_platform_id"),
    )
    op.create_index("ix_inbound_due", "inbound", ["status", "next_attempt_at"], unique=False)
    op.create_index("ix_inbound_sender", "inbound", ["channel", "sender_id", "status"], unique=False)
    _queue_unprocessed(inbound)


def _queue_unprocessed(inbound: sa.Table) -> None:
    """Messages a process recorded but never answered: the new workers take them."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT m.id, m.channel, m.platform_message_id, m.created_at, c.sender_id "
        "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        "WHERE m.direction = 'in' AND m.status = 'received' AND m.platform_message_id IS NOT NULL "
        "ORDER BY m.id")).all()
    now = datetime.now(timezone.utc)
    values = [{"channel": row.channel, "sender_id": row.sender_id,
               "platform_message_id": row.platform_message_id,
               "platform_at": _aware(row.created_at) or now, "event": {"stored_message_id": row.id},
               "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
              for row in rows]
    if values:
        op.bulk_insert(inbound, values)


def _aware(value: object) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def downgrade() -> None:
    op.drop_index("ix_inbound_sender", table_name="inbound")
    op.drop_index("ix_inbound_due", table_name="inbound")
    op.drop_table("inbound")
