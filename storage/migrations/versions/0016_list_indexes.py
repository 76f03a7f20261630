"""lists at a million cases (urgency on the case row, keyset indexes); readiness heartbeats

`cases.queue_due_at` and `cases.queue_step` keep the due time and name of the case's current step
(the earliest deadline not met; none once the case is closed, rejected or redirected), filled on
every flush by storage.orm's session hook and here, once, for the cases already filed. With them
the work queue ("Việc cần làm") is a walk along one index instead of a window function over every
deadline. `ix_cases_queue` and `ix_cases_scope_queue` serve its urgency order (for everyone, and
within one unit's agency and ward), `ix_cases_scope_received` its newest-first order, and
`ix_cases_public_order` (and per ward and procedure group: `ix_cases_public_ward`,
`ix_cases_public_procedure`, `ix_cases_public_agency`; partial: published results only) the public results list (newest
published first) on `public_order_at`
(published, else closed, else received: also filled on flush).

Observability (/readyz, /metrics): `ix_messages_unprocessed` finds the oldest inbound message not
processed yet among millions; `service_heartbeats` holds the scheduler's last beat.

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-06 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0019"
branch_labels = None
depends_on = None

FINISHED = ("rejected", "redirected", "closed")
PUBLIC_WHERE = ("status IN ('published', 'closed') AND (publish_consent IS true OR "
                "masking_reviewed_at IS NOT NULL) AND public_text IS NOT NULL AND public_text != ''")
CURRENT = ("SELECT d.{column} FROM case_deadlines d WHERE d.case_id = cases.id AND d.met_at IS NULL "
           "ORDER BY d.due_at, d.id LIMIT 1")


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("queue_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("queue_step", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("public_order_at", sa.DateTime(timezone=True), nullable=True))
    finished = ", ".join(f"'{s}'" for s in FINISHED)
    op.execute(f"UPDATE cases SET queue_due_at = ({CURRENT.format(column='due_at')}), "
               f"queue_step = ({CURRENT.format(column='step')}) WHERE status NOT IN ({finished})")
    op.execute("UPDATE cases SET public_order_at = coalesce(published_at, closed_at, received_at)")
    op.create_index("ix_cases_queue", "cases", ["queue_due_at", "received_at", "id"])
    op.create_index("ix_cases_scope_queue", "cases",
                    ["agency_id", "ward", "queue_due_at", "received_at", "id"])
    op.create_index("ix_cases_scope_received", "cases", ["agency_id", "ward", "received_at", "id"])
    for name, columns in (("ix_cases_public_order", ["public_order_at", "id"]),
                          ("ix_cases_public_ward", ["ward", "public_order_at", "id"]),
                          ("ix_cases_public_procedure", ["procedure_id", "public_order_at", "id"]),
                          ("ix_cases_public_agency", ["agency_id", "public_order_at", "id"])):
        op.create_index(name, "cases", columns, postgresql_where=sa.text(PUBLIC_WHERE),
                        sqlite_where=sa.text(PUBLIC_WHERE))
    op.create_index("ix_messages_unprocessed", "messages", ["created_at"],
                    postgresql_where=sa.text("status = 'received'"),
                    sqlite_where=sa.text("status = 'received'"))
    op.create_table(
        "service_heartbeats",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("process", sa.String(length=128), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_service_heartbeats")),
    )


def downgrade() -> None:
    op.drop_table("service_heartbeats")
    op.drop_index("ix_messages_unprocessed", table_name="messages")
    for name in ("ix_cases_public_agency", "ix_cases_public_procedure", "ix_cases_public_ward", "ix_cases_public_order",
                 "ix_cases_scope_received", "ix_cases_scope_queue",
                 "ix_cases_queue"):
        op.drop_index(name, table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("public_order_at")
        batch.drop_column("queue_step")
        batch.drop_column("queue_due_at")
