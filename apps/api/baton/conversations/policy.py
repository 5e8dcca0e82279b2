"""Who may see and act on which conversation: one place for REST and sockets alike.

- Callers with ``conversations:read_all`` (admins, integrators' keys) see every conversation.
- Everyone else sees the conversations nobody owns (the AI's, the queue, closed ones that no
  person held) and their own. Another agent's conversation is a 404, not a 403: its
  existence is not confirmed.
- Replying, resolving and typing in a conversation another person owns needs
  ``conversations:assign`` (a supervisor stepping in); teammates who can see it may leave
  internal notes (that is what notes are for), as in Chatwoot.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_

from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.conversations.models import Conversation
from baton.kit.errors import Forbidden, NotFound


def sees_all(principal: Principal) -> bool:
    return principal.has(Permission.CONVERSATIONS_READ_ALL)


def can_read(principal: Principal, conversation: Conversation) -> bool:
    return sees_all(principal) or conversation.assignee_id in (None, principal.user_id)


def check_read(principal: Principal, conversation: Conversation) -> Conversation:
    if not can_read(principal, conversation):
        raise NotFound("no such conversation")
    return conversation


def check_act(principal: Principal, conversation: Conversation) -> Conversation:
    """Reply, resolve, type: the owner, nobody's conversation, or a supervisor."""
    check_read(principal, conversation)
    owner = conversation.assignee_id
    if (
        conversation.status == "agent"
        and owner is not None
        and owner != principal.user_id
        and not principal.has(Permission.CONVERSATIONS_ASSIGN)
    ):
        raise Forbidden(
            "another agent owns this conversation; leave an internal note or ask a supervisor",
            code="not_your_conversation",
        )
    return conversation


def scoped(stmt: Any, principal: Principal) -> Any:
    """Limit a query over conversations to what ``principal`` may see."""
    if sees_all(principal):
        return stmt
    return stmt.where(
        or_(Conversation.assignee_id.is_(None), Conversation.assignee_id == principal.user_id)
    )
