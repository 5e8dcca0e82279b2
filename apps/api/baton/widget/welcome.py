"""The welcome message a visitor sees: the workspace's ``welcome_message`` with its variables
(``{{visitor.name}}``, ``{{visitor.email}}``, ``{{conversation.id}}``, with fallbacks) filled
by the canned responses' ``fill``, so a placeholder never reaches the widget as written."""

from __future__ import annotations

import uuid

from baton.canned.variables import fill
from baton.visitors.models import Visitor


def welcome_for(
    template: str, visitor: Visitor | None = None, conversation_id: uuid.UUID | None = None
) -> str:
    """``visitor`` None: before a session (the public widget config), fallbacks only."""
    return fill(
        template,
        {
            "visitor.name": visitor.name if visitor else None,
            "visitor.email": visitor.email if visitor else None,
            "conversation.id": str(conversation_id) if conversation_id else None,
        },
    )
