"""Auto-reply rules that answer with a canned response (``AutoReplyRule.canned_response_id``).

Only global responses may be linked: a visitor must never receive one person's private
reply. The rule answers with the response's current body, variables filled for the
visitor (``{{agent.name}}`` falls back, no person is answering); the rule's own
``response`` keeps the body copied when it was linked, used if the response is deleted.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from baton.ai.models import AutoReplyRule
from baton.canned.models import CannedResponse
from baton.canned.variables import fill
from baton.conversations.models import Conversation
from baton.kit.errors import ValidationFailed
from baton.kit.uow import UnitOfWork
from baton.visitors.models import Visitor


async def link(session: AsyncSession, rule: AutoReplyRule, canned_id: uuid.UUID | None) -> None:
    if canned_id is None:
        rule.canned_response_id = None
        return
    canned = await session.get(CannedResponse, canned_id)
    if canned is None or canned.visibility != "global":
        raise ValidationFailed(
            "canned_response_id must name a global canned response",
            code="invalid_canned_response",
        )
    rule.canned_response_id = canned.id
    if not rule.response.strip():
        rule.response = canned.body


async def rule_answer(uow: UnitOfWork, rule: AutoReplyRule, conversation: Conversation) -> str:
    if rule.canned_response_id is None:
        return rule.response
    canned = await uow.session.get(CannedResponse, rule.canned_response_id)
    if canned is None or canned.visibility != "global":
        return rule.response
    visitor = await uow.session.get(Visitor, conversation.visitor_id)
    return fill(
        canned.body,
        {
            "visitor.name": visitor.name if visitor else None,
            "visitor.email": visitor.email if visitor else None,
            "conversation.id": str(conversation.id),
        },
    )
