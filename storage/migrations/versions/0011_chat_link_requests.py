"""hotline case linked to a chat only with the citizen's consent

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 06:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_link_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_code", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),  # as conversations (0008)
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requester_unit", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_link_requests")),
        sa.ForeignKeyConstraint(["case_code"], ["cases.code"],
                                name=op.f("fk_chat_link_requests_case_code_cases")),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_chat_link_requests_conversation_id_conversations")),
    )
    op.create_index(op.f("ix_chat_link_requests_case_code"), "chat_link_requests", ["case_code"],
                    unique=False)
    op.create_index(op.f("ix_chat_link_requests_conversation_id"), "chat_link_requests",
                    ["conversation_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_chat_link_requests_conversation_id"), table_name="chat_link_requests")
    op.drop_index(op.f("ix_chat_link_requests_case_code"), table_name="chat_link_requests")
    op.drop_table("chat_link_requests")
