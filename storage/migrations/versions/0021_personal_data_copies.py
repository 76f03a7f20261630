"""indexes to find a case's copies of personal data: audit rows by target, notifications and
training examples by case code

The retention job and a citizen's deletion (storage/personal_copies.py) clear the personal data in
the audit details, the staff notifications and the labelled examples of each case they anonymise;
without these indexes every case would scan those tables.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-06 13:40:00
"""
from alembic import op

revision = "0021"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id"], unique=False)
    op.create_index(op.f("ix_staff_notifications_case_code"), "staff_notifications", ["case_code"],
                    unique=False)
    op.create_index(op.f("ix_labelled_examples_case_code"), "labelled_examples", ["case_code"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_labelled_examples_case_code"), table_name="labelled_examples")
    op.drop_index(op.f("ix_staff_notifications_case_code"), table_name="staff_notifications")
    op.drop_index("ix_audit_log_target", table_name="audit_log")
