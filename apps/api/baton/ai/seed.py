"""Demo auto-reply rules that ``baton demo`` seeds (idempotent: by name)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

DEMO_RULES: tuple[dict[str, object], ...] = (
    {
        "name": "Opening hours",
        "match": "contains",
        "patterns": ["opening hours", "business hours", "when are you open", "are you open"],
        "response": (
            "Our support team is available Monday to Friday, 9 am to 5 pm (Eastern time). "
            "I'm here around the clock for everything else."
        ),
        "suggestions": ["Talk to a person"],
        "priority": 10,
    },
    {
        "name": "Phone number",
        "match": "keywords",
        "patterns": ["phone"],
        "response": (
            "We don't offer phone support, but a person from the team can help you right "
            "here in the chat."
        ),
        "suggestions": ["Talk to a person"],
        "priority": 20,
    },
)


async def seed(session: AsyncSession) -> None:
    from baton.ai.models import AutoReplyRule

    existing = set((await session.scalars(select(AutoReplyRule.name))).all())
    for rule in DEMO_RULES:
        if rule["name"] not in existing:
            session.add(AutoReplyRule(**rule))
    await session.flush()
