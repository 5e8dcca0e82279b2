"""merge the widget-settings branch into the main history (one head from here on)

Revision ID: 0004
Revises: 0003, 0100_widget
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | Sequence[str] | None = ("0003", "0100_widget")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
