"""Proactive rules: "after N seconds on a page matching this pattern, show this message".

The widget runs them (it knows the page and the time); the server stores and validates them
as one workspace setting (``proactive_rules``) and serves them with the widget config.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from baton.kit.errors import ValidationFailed
from baton.workspace.models import WorkspaceSetting

KEY = "proactive_rules"


class ProactiveRule(msgspec.Struct, forbid_unknown_fields=True):
    # a URL glob: "*" matches anything ("https://shop.test/pricing*", "*/checkout")
    url_pattern: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    delay_seconds: Annotated[int, msgspec.Meta(ge=0, le=3600)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ProactiveRules(msgspec.Struct, forbid_unknown_fields=True):
    rules: Annotated[list[ProactiveRule], msgspec.Meta(max_length=20)]


def validate(data: ProactiveRules) -> None:
    for rule in data.rules:
        if not rule.text.strip() or "\x00" in rule.text or "\x00" in rule.url_pattern:
            raise ValidationFailed("a rule needs printable text", code="invalid_rule")


async def load(session: AsyncSession) -> ProactiveRules:
    row = await session.get(WorkspaceSetting, KEY)
    return msgspec.convert(row.value if row is not None else {"rules": []}, ProactiveRules)


async def save(session: AsyncSession, data: ProactiveRules) -> ProactiveRules:
    validate(data)
    value = msgspec.to_builtins(data)
    row = await session.get(WorkspaceSetting, KEY)
    if row is None:
        session.add(WorkspaceSetting(key=KEY, value=value))
    else:
        row.value = value
    await session.flush()
    return data
