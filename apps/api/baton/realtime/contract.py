"""The realtime contract, declared once: a msgspec struct for every Socket.IO payload.

- Server -> client events: ``@server_event(namespace, name)`` on a struct (all of them in
  ``baton.realtime.server_events``). Every emission passes ``encode``: a dict is converted
  into the declared struct (strict, unknown keys refused), a struct must be the declared one;
  what goes on the wire is the struct's encoding. An undeclared event or a payload that does
  not fit raises ``ContractViolation``, so the declaration cannot drift from what is sent.
- Client -> server events: the ``payload=`` and ``ack=`` structs of ``Actions.on``; the
  payload is decoded through its struct and the ack encoded through its own (error acks
  through ``ErrorAck``).

``python -m baton.realtime.typegen`` turns these declarations into the TypeScript types of
the inbox and the widget (docs/realtime.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec

ServerEvents = dict[tuple[str, str], type[msgspec.Struct]]
_SERVER_EVENTS: ServerEvents = {}
_DECLARATIONS = "baton.realtime.server_events"

S = TypeVar("S", bound=type[msgspec.Struct])


class ContractViolation(Exception):
    """A payload the realtime contract does not declare (a bug on the server's side)."""


class Payload(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of what the server sends: a key the struct does not declare is an error."""


class ErrorAck(Payload):
    """A refused event: nothing changed. ``retry_after`` (seconds) with ``rate_limited``."""

    error: str
    detail: Any = None
    retry_after: float | msgspec.UnsetType = msgspec.UNSET


class Ok(Payload):
    ok: bool


# Incoming fields the handlers check themselves (so each bad value gets its own error code,
# e.g. ``empty_message``): any value is accepted, the schema says what a client sends.
WireText = Annotated[Any, msgspec.Meta(extra_json_schema={"type": "string"})]
WireIds = Annotated[
    Any, msgspec.Meta(extra_json_schema={"type": "array", "items": {"type": "string"}})
]
WireInt = Annotated[Any, msgspec.Meta(extra_json_schema={"type": "integer"})]


def server_event(namespace: str, name: str) -> Callable[[S], S]:
    """Declare ``name`` on ``namespace`` with the decorated struct as its payload."""

    def declare(struct: S) -> S:
        key = (namespace, name)
        if key in _SERVER_EVENTS and _SERVER_EVENTS[key] is not struct:
            raise ContractViolation(f"{namespace} {name!r} is declared twice")
        _SERVER_EVENTS[key] = struct
        return struct

    return declare


def server_events() -> ServerEvents:
    """Every declared server event (importing the declarations on first use)."""
    importlib.import_module(_DECLARATIONS)
    return dict(_SERVER_EVENTS)


def payload_type(namespace: str, event: str) -> type[msgspec.Struct]:
    struct = _SERVER_EVENTS.get((namespace, event))
    if struct is None:
        importlib.import_module(_DECLARATIONS)
        struct = _SERVER_EVENTS.get((namespace, event))
    if struct is None:
        raise ContractViolation(f"{namespace} event {event!r} is not declared")
    return struct


def _through(struct: type[msgspec.Struct], value: Any, what: str) -> Any:
    if isinstance(value, msgspec.Struct):
        if type(value) is not struct:
            raise ContractViolation(f"{what}: {type(value).__name__} is not {struct.__name__}")
        return msgspec.to_builtins(value)
    try:
        return msgspec.to_builtins(msgspec.convert(value, struct, strict=True))
    except msgspec.ValidationError as exc:
        raise ContractViolation(f"{what} does not fit {struct.__name__}: {exc}") from exc


def encode(namespace: str, event: str, payload: Any) -> Any:
    """The wire form of a server event's payload, through its declared struct."""
    return _through(payload_type(namespace, event), payload, f"{namespace} {event!r}")


def encode_ack(struct: type[msgspec.Struct], result: Any, event: str) -> Any:
    """The wire form of an ack: an error body through ``ErrorAck``, else through ``struct``."""
    if isinstance(result, dict) and "error" in result:
        return _through(ErrorAck, result, f"{event!r} error ack")
    return _through(struct, result, f"{event!r} ack")
