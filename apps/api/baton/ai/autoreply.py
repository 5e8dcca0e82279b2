"""The auto-reply engine: admin-defined rules that answer instantly, before any model.

A rule matches the visitor's message ``exact`` (the whole message is one of its patterns),
``contains`` (one of its patterns appears in the message, on word boundaries) or by
``keywords`` (every keyword appears in the message, in any order and form: "refunds"
matches "refund"). Case, spacing and surrounding punctuation never matter. Rules are tried
by priority (lower first); the first match answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from baton.ai.models import AutoReplyRule
from baton.knowledge.search import stem

MATCHES = ("exact", "contains", "keywords")
_WORDS = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower().replace("'", "")))


def matches(rule: AutoReplyRule, text: str) -> bool:
    said = normalise(text)
    if not said:
        return False
    patterns = [normalise(p) for p in rule.patterns]
    patterns = [p for p in patterns if p]
    if not patterns:
        return False
    if rule.match == "exact":
        return said in patterns
    if rule.match == "contains":
        padded = f" {said} "
        return any(f" {p} " in padded for p in patterns)
    if rule.match == "keywords":
        words = {stem(w) for w in said.split()}
        return all(all(stem(w) in words for w in p.split()) for p in patterns)
    return False


def first_match(rules: Iterable[AutoReplyRule], text: str) -> AutoReplyRule | None:
    """``rules`` in priority order (enabled ones: ``ai.setup_cache``)."""
    return next((rule for rule in rules if matches(rule, text)), None)


async def enabled_rules(session: AsyncSession) -> list[AutoReplyRule]:
    rules = await session.scalars(
        select(AutoReplyRule)
        .where(AutoReplyRule.enabled.is_(True))
        .order_by(AutoReplyRule.priority, AutoReplyRule.created_at, AutoReplyRule.id)
    )
    return list(rules)


async def find_rule(session: AsyncSession, text: str) -> AutoReplyRule | None:
    return first_match(await enabled_rules(session), text)
