"""The tool registry: every tool a model may call, with its policy.

A tool has a ``name``, a ``description``, the JSON schema of its arguments, a ``handler`` and
a ``policy``:

- ``auto``: run at once while the model answers; the result goes back to the model, which
  continues its answer with it (``get_order_status``);
- ``approval``: stored as a *proposed action* for an agent to approve or reject; it runs
  once, after approval, never before (``cancel_order``, ``refund_order``).

The three internal tools (``handoff_to_human``, ``suggest_follow_ups``, ``cannot_answer``)
are the registry's first members. They have no handler: they are signals the reply itself
acts on (``ai.fleet``), never fed back to the model. Workspace tools come from integrations
(``tools.service.load_registry``): the demo order backend and HTTP endpoints.

The provider adapters build their tool lists from ``ToolSpec``s with ``openai_tools``,
``anthropic_tools`` and ``gemini_declarations`` (the three tool-calling formats).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from baton.runtime import Runtime

Policy = Literal["auto", "approval"]
POLICIES: tuple[Policy, ...] = ("auto", "approval")
NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,63}$")

HANDOFF = "handoff_to_human"
SUGGEST = "suggest_follow_ups"
CANNOT_ANSWER = "cannot_answer"


@dataclass(frozen=True)
class ToolSpec:
    """What a model is told about a tool."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ToolContext:
    runtime: Runtime
    conversation_id: uuid.UUID
    action_id: uuid.UUID


class ToolFailed(Exception):
    """A handler's honest failure: ``detail`` is shown to the agent (and to the model)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


Handler = Callable[[ToolContext, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    policy: Policy
    handler: Handler | None  # None: an internal signal the reply acts on
    source: str = "internal"  # internal | demo | http

    @property
    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, self.description, self.parameters)

    @property
    def internal(self) -> bool:
        return self.handler is None


INTERNAL_TOOLS: tuple[Tool, ...] = (
    Tool(
        HANDOFF,
        "Hand the conversation to a human support agent. Use it when the visitor asks for a "
        "person, is upset, or needs something only staff can do (an exception, an "
        "account-specific change).",
        {
            "type": "object",
            "properties": {
                "reason": {"type": "string", "description": "Why a person should take over."}
            },
            "required": ["reason"],
        },
        "auto",
        None,
    ),
    Tool(
        SUGGEST,
        "Offer the visitor up to three short follow-up questions as buttons.",
        {
            "type": "object",
            "properties": {
                "suggestions": {
                    "type": "array",
                    "items": {"type": "string"},
                    "maxItems": 3,
                    "description": "Short follow-ups in the visitor's voice (under 60 chars).",
                }
            },
            "required": ["suggestions"],
        },
        "auto",
        None,
    ),
    Tool(
        CANNOT_ANSWER,
        "Call this when the knowledge-base passages do not contain the answer, after telling "
        "the visitor so honestly.",
        {"type": "object", "properties": {}},
        "auto",
        None,
    ),
)
INTERNAL_SPECS: tuple[ToolSpec, ...] = tuple(t.spec for t in INTERNAL_TOOLS)
INTERNAL_NAMES = frozenset(t.name for t in INTERNAL_TOOLS)


class Registry:
    """The tools of one reply (internal first, then the workspace's)."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self.tools: dict[str, Tool] = {t.name: t for t in INTERNAL_TOOLS}
        for tool in tools:
            if tool.name not in self.tools:  # names are unique; the first one wins
                self.tools[tool.name] = tool

    def get(self, name: str) -> Tool | None:
        return self.tools.get(name)

    def runnable(self, name: str) -> bool:
        tool = self.tools.get(name)
        return tool is not None and not tool.internal

    def specs(self) -> tuple[ToolSpec, ...]:
        return tuple(t.spec for t in self.tools.values())

    def __iter__(self) -> Any:
        return iter(self.tools.values())


# -- the three tool-calling formats ---------------------------------------------------------


def openai_tools(specs: Iterable[ToolSpec]) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {"name": s.name, "description": s.description, "parameters": s.parameters},
        }
        for s in specs
    ]


def anthropic_tools(specs: Iterable[ToolSpec]) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "description": s.description, "input_schema": s.parameters} for s in specs
    ]


def gemini_declarations(specs: Iterable[ToolSpec]) -> list[dict[str, Any]]:
    """Keyword arguments of ``google.genai.types.FunctionDeclaration``."""
    return [
        {"name": s.name, "description": s.description, "parameters_json_schema": s.parameters}
        for s in specs
    ]


# -- arguments ------------------------------------------------------------------------------

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def check_schema(schema: Any) -> dict[str, Any]:
    """An argument schema Baton can check: an object with typed properties."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise ValueError('parameters must be a JSON schema with "type": "object"')
    props = schema.get("properties", {})
    if not isinstance(props, dict):
        raise ValueError("parameters.properties must be an object")
    for key, prop in props.items():
        if not isinstance(prop, dict) or prop.get("type") not in _TYPES:
            raise ValueError(f"parameters.properties.{key}.type must be one of {', '.join(_TYPES)}")
    required = schema.get("required", [])
    if not isinstance(required, list) or any(r not in props for r in required):
        raise ValueError("parameters.required must list properties")
    return schema


def check_arguments(schema: dict[str, Any], args: Any) -> str | None:
    """Why ``args`` do not fit ``schema`` (top-level properties, types, required), or None."""
    if not isinstance(args, dict):
        return "arguments must be an object"
    props: dict[str, Any] = schema.get("properties", {})
    for key in schema.get("required", []):
        if key not in args:
            return f"missing argument {key!r}"
    for key, value in args.items():
        prop = props.get(key)
        if prop is None:
            return f"unknown argument {key!r}"
        kinds = _TYPES.get(prop.get("type", ""), ())
        if kinds and (
            not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool))
        ):
            return f"argument {key!r} must be of type {prop.get('type')}"
    return None
