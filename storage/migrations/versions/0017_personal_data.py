"""attachments kept and personal data: downloaded attachments, data requests, anonymised cases

`attachment_downloads` tracks each photo or file a citizen sent on Telegram, Messenger or Zalo
until it is downloaded into the file store (retried, or marked failed for good). `data_requests`
holds citizens' requests for a copy or the deletion of their data. `cases.anonymised_at` marks a
case whose personal data was removed (retention, or the citizen's request).

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-06 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "attachment_downloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("mime", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name=op.f("fk_attachment_downloads_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment_downloads")),
        sa.UniqueConstraint("ref", name=op.f("uq_attachment_downloads_ref")),
    )
    op.create_index(op.f("ix_attachment_downloads_message_id"), "attachment_downloads",
                    ["message_id"])
    op.create_index("ix_attachment_downloads_due", "attachment_downloads",
                    ["status", "next_attempt_at"])
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.String(length=64), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_data_requests_conversation_id_conversations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    op.create_index(op.f("ix_data_requests_conversation_id"), "data_requests", ["conversation_id"])
    op.create_index("ix_data_requests_status", "data_requests", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_data_requests_status", table_name="data_requests")
    op.drop_index(op.f("ix_data_requests_conversation_id"), table_name="data_requests")
    op.drop_table("data_requests")
    op.drop_index("ix_attachment_downloads_due", table_name="attachment_downloads")
    op.drop_index(op.f("ix_attachment_downloads_message_id"), table_name="attachment_downloads")
    op.drop_table("attachment_downloads")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("anonymised_at")
