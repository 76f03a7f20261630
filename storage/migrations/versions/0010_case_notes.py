"""case events: internal note apart from the message to the citizen

Until now a status event's `note` was appended to the citizen's status message ("Ghi chú: …", or
"Lý do: …" for a transfer, rejection or reopening), although staff wrote internal remarks there.
From now on `note` is internal only; what the citizen is told goes in `citizen_message`, and a
reason they are told goes in the event's data as `reason`. Existing events are rewritten so that
the timeline says truthfully what was sent: a note that reached a citizen becomes the citizen
message (so does the text of a request for more information), a reason becomes the reason, and a
note that was never sent stays an internal note.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:45:00
"""
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The statuses whose change was pushed to the citizen with the note (OutboxNotifier.case_changed).
PUSHED = ("forwarded", "in_progress", "published", "closed", "reopened", "rejected", "redirected")
REASON_STATUSES = ("rejected", "reopened")

events = sa.table("case_events", sa.column("id", sa.Integer), sa.column("case_id", sa.Integer),
                  sa.column("kind", sa.String), sa.column("to_status", sa.String),
                  sa.column("note", sa.Text), sa.column("data", sa.JSON),
                  sa.column("citizen_message", sa.Text))
cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("conversation_id", sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table("case_events") as batch:
        batch.add_column(sa.Column("citizen_message", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events.c.id, events.c.to_status, events.c.note, events.c.data,
                  cases.c.conversation_id)
        .join(cases, cases.c.id == events.c.case_id)
        .where(events.c.kind == "status", events.c.to_status.in_(PUSHED), events.c.note != "")).all()
    for row in rows:
        data: dict[str, Any] = dict(row.data or {})
        if row.to_status in REASON_STATUSES or "from_agency" in data:
            values: dict[str, Any] = {"note": "", "data": {**data, "reason": row.note}}
        elif row.conversation_id is not None:
            values = {"note": "", "citizen_message": row.note}
        else:
            continue  # never sent: it stays what staff meant it to be, an internal note
        connection.execute(events.update().where(events.c.id == row.id).values(**values))
    # A request for more information was always sent: its text is what the citizen was told.
    connection.execute(events.update().where(events.c.kind == "ask_info", events.c.note != "")
                       .values(citizen_message=events.c.note, note=""))


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(events.c.id, events.c.note, events.c.data,
                                        events.c.citizen_message)
                              .where(events.c.kind.in_(("status", "ask_info")))).all()
    for row in rows:
        data: dict[str, Any] = dict(row.data or {})
        reason = data.pop("reason", None)
        if not reason and not row.citizen_message:
            continue
        note = " — ".join(part for part in (reason, row.citizen_message, row.note) if part)
        connection.execute(events.update().where(events.c.id == row.id)
                           .values(note=note, data=data or None))
    with op.batch_alter_table("case_events") as batch:
        batch.drop_column("citizen_message")
