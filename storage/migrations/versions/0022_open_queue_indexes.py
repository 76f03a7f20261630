"""partial indexes on the open rows of the inbound and outbox queues

The claims walk due rows in id order (storage/inbound_queue.py, storage/outbox_queue.py). Done and
sent rows stay for days (privacy.inbound_days, the outbox history), and the primary key scan read
past every one of them on each claim: 79 ms per inbound claim behind 100,000 done rows, 0.2 ms with
these indexes (issue 18).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 17:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

INBOUND_OPEN = "status IN ('pending', 'processing')"
OUTBOX_OPEN = "status IN ('pending', 'sending')"


def upgrade() -> None:
    op.create_index("ix_inbound_open", "inbound", ["id"], postgresql_where=sa.text(INBOUND_OPEN),
                    sqlite_where=sa.text(INBOUND_OPEN))
    op.create_index("ix_outbox_open", "outbox", ["id"], postgresql_where=sa.text(OUTBOX_OPEN),
                    sqlite_where=sa.text(OUTBOX_OPEN))


def downgrade() -> None:
    op.drop_index("ix_outbox_open", table_name="outbox")
    op.drop_index("ix_inbound_open", table_name="inbound")
