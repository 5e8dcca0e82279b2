"""The demo canned responses that ``baton demo`` seeds (idempotent: by shortcut)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.canned.models import CannedCategory, CannedResponse, scope_of

DEMO_CANNED: tuple[tuple[str, str, str, str], ...] = (
    (
        "returns",
        "Returns policy",
        "Hi {{visitor.name}}, you can return any unused item within 30 days for a full refund. "
        'Open Orders in your account and choose "Return an item"; we email you a prepaid label.',
        "returns",
    ),
    (
        "shipping",
        "Shipping times",
        "Standard shipping takes 3-5 business days (free over $50); express takes 1-2 days.",
        "shipping",
    ),
    (
        "tracking",
        "Where is my order",
        "Your tracking number is in the shipping email and under Orders in your account. "
        "If it has not moved for 5 business days, tell me and I will open an investigation.",
        "orders",
    ),
    (
        "refund-issued",
        "Refund issued",
        "I have issued your refund, {{visitor.name}}: it reaches your original payment method "
        "within 5 business days. We will email {{visitor.email}} when it is done.",
        "billing",
    ),
    (
        "thanks",
        "Closing",
        "Thanks for reaching out, {{visitor.name}}! Anything else I can help with? — {{agent.name}}",
        "general",
    ),
)


async def seed(session: AsyncSession) -> None:
    scope = scope_of("global", None)
    have = set(
        await session.scalars(select(CannedResponse.shortcut).where(CannedResponse.scope == scope))
    )
    categories = set(await session.scalars(select(CannedCategory.name)))
    for shortcut, title, body, category in DEMO_CANNED:
        if category not in categories:
            session.add(CannedCategory(name=category))
            categories.add(category)
        if shortcut not in have:
            session.add(
                CannedResponse(
                    shortcut=shortcut,
                    title=title,
                    body=body,
                    category=category,
                    visibility="global",
                    scope=scope,
                )
            )
    await session.flush()
