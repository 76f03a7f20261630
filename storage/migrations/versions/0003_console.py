"""staff console: users, audit log, conversation notes, canned responses, handled_by, case search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CANNED = [
    ("Chào hỏi", "Xin chào Ông/Bà, tôi là cán bộ tiếp nhận phản ánh, kiến nghị. Tôi có thể giúp gì "
                 "cho Ông/Bà?"),
    ("Xin bổ sung thông tin", "Để xử lý phản ánh, đề nghị Ông/Bà cung cấp thêm: thời gian nộp hồ "
                              "sơ, nơi nộp hồ sơ và mã hồ sơ (nếu có)."),
    ("Đã ghi nhận", "Cảm ơn Ông/Bà. Nội dung đã được ghi nhận và chuyển tới cơ quan có thẩm "
                    "quyền xem xét, xử lý."),
    ("Khiếu nại, tố cáo", "Nội dung Ông/Bà nêu là khiếu nại hoặc tố cáo, không thuộc phạm vi phản "
                          "ánh, kiến nghị. Ông/Bà vui lòng gửi đơn tới Ban Tiếp công dân Thành "
                          "phố Hà Nội."),
    ("Kết thúc", "Cảm ơn Ông/Bà đã liên hệ. Nếu cần hỗ trợ thêm, Ông/Bà cứ nhắn tin tại đây."),
]


def _fold(text: str) -> str:
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c)).lower()


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("full_name", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("ward", sa.String(length=128), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_users_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_table(
        "conversation_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_conversation_notes_conversation_id_conversations")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_conversation_notes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_notes")),
    )
    op.create_index(op.f("ix_conversation_notes_conversation_id"), "conversation_notes",
                    ["conversation_id"], unique=False)
    canned = op.create_table(
        "canned_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_responses")),
    )
    op.bulk_insert(canned, [{"title": title, "text": text} for title, text in CANNED])

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handled_by", sa.Integer(), nullable=True))
        batch_op.create_index("ix_conversations_escalated", ["escalated"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=True))
        batch_op.create_index("ix_cases_status", ["status"], unique=False)
        batch_op.create_index("ix_cases_agency_status", ["agency_id", "status"], unique=False)
        batch_op.create_index("ix_cases_channel", ["channel"], unique=False)
        batch_op.create_index("ix_cases_procedure_id", ["procedure_id"], unique=False)
        batch_op.create_index("ix_cases_due_at", ["due_at"], unique=False)

    # Cases filed before this revision get their search column too.
    connection = op.get_bind()
    cases = sa.table("cases", sa.column("id"), sa.column("code"), sa.column("citizen_name"),
                     sa.column("citizen_phone"), sa.column("citizen_address"), sa.column("ward"),
                     sa.column("text"), sa.column("search_text"))
    rows = connection.execute(sa.select(cases.c.id, cases.c.code, cases.c.citizen_name,
                                        cases.c.citizen_phone, cases.c.citizen_address,
                                        cases.c.ward, cases.c.text)).all()
    for row in rows:
        text = _fold(" ".join(str(v) for v in row[1:] if v))
        connection.execute(cases.update().where(cases.c.id == row[0]).values(search_text=text))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in ("ix_cases_due_at", "ix_cases_procedure_id", "ix_cases_channel",
                     "ix_cases_agency_status", "ix_cases_status"):
            batch_op.drop_index(name)
        batch_op.drop_column("search_text")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_escalated")
        batch_op.drop_column("handled_by")
    op.drop_table("canned_responses")
    op.drop_index(op.f("ix_conversation_notes_conversation_id"), table_name="conversation_notes")
    op.drop_table("conversation_notes")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("users")
