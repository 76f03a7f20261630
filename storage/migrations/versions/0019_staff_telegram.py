"""staff alerts on Telegram: a staff member's linked chat and the one-time code that links it

A staff account may link a Telegram chat (`users.telegram_chat_id`) by sending the bot a one-time
code shown in the console (kept only as its SHA-256, `telegram_link_hash`, until
`telegram_link_expires_at`); overdue escalations and delivery failures are then queued to that chat
through the outbox, once per notification (`staff_notifications.telegram_sent_at`).

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-06 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("telegram_chat_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("telegram_link_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("telegram_link_expires_at", sa.DateTime(timezone=True),
                                   nullable=True))
    with op.batch_alter_table("staff_notifications") as batch:
        batch.add_column(sa.Column("telegram_sent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_notifications") as batch:
        batch.drop_column("telegram_sent_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("telegram_link_expires_at")
        batch.drop_column("telegram_link_hash")
        batch.drop_column("telegram_chat_id")
