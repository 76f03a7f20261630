"""text columns sized for what platforms send

Platform ids and the ids of our own sends were cut at 128/255 characters, and PostgreSQL refused a
longer one with a 500 (SQLite kept it). Sender ids now hold 255 characters and message ids 512,
the limits channels.base checks at the webhook (a longer value is a 400 with the reason).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# table -> (column, old length, new length); the lengths match channels.base's limits
WIDENED = {
    "conversations": (("sender_id", 128, 255), ("last_inbound_message_id", 255, 512)),
    "messages": (("platform_message_id", 255, 512),),
    "cases": (("sender_id", 128, 255),),
    "outbox": (("recipient_id", 128, 255), ("reply_to", 255, 512),
               ("platform_message_id", 255, 512)),
}


def _alter(widen: bool) -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for name, old, new in columns:
                before, after = (old, new) if widen else (new, old)
                batch.alter_column(name, existing_type=sa.String(before), type_=sa.String(after))


def upgrade() -> None:
    _alter(widen=True)


def downgrade() -> None:
    # Refused by PostgreSQL while a longer value is stored: an id is never cut silently.
    _alter(widen=False)
