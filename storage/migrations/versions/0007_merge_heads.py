"""merge console, outbox, publication and NLU review branches

Revision ID: 0007
Revises: 0004, 0005, 0006
Create Date: 2026-11-28 17:41:18.993723
"""


revision = '0007'
down_revision = ('0004', '0005', '0006')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
