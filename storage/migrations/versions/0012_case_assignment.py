"""work queue and staff notifications: case assignment, staff e-mail, per-person reads

A case can be assigned to one staff member of its unit (`cases.assigned_to`); a staff account has
an e-mail address for the daily digest and overdue alerts (`users.email`); a notification
remembers when it was e-mailed (`staff_notifications.emailed_at`), so a scheduler restart sends
nothing twice; and each person marks notifications read for themselves
(`staff_notification_reads`): one officer reading an overdue alert does not hide it from the
colleagues of the same unit.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("assigned_to", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_cases_assigned_to_users"), "users", ["assigned_to"], ["id"])
        batch.create_index("ix_cases_assigned_to", ["assigned_to"], unique=False)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(length=255), nullable=True))
    with op.batch_alter_table("staff_notifications") as batch:
        batch.add_column(sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "staff_notification_reads",
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("notification_id", "user_id", name=op.f("pk_staff_notification_reads")),
        sa.ForeignKeyConstraint(["notification_id"], ["staff_notifications.id"],
                                name=op.f("fk_staff_notification_reads_notification_id_staff_notifications")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_staff_notification_reads_user_id_users")),
    )
    op.create_index("ix_staff_notification_reads_user_id", "staff_notification_reads", ["user_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_staff_notification_reads_user_id", table_name="staff_notification_reads")
    op.drop_table("staff_notification_reads")
    with op.batch_alter_table("staff_notifications") as batch:
        batch.drop_column("emailed_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_assigned_to")
        batch.drop_constraint(op.f("fk_cases_assigned_to_users"), type_="foreignkey")
        batch.drop_column("assigned_to")
