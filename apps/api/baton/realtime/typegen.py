"""Write the TypeScript types of the realtime contract for the inbox and the widget.

    python -m baton.realtime.typegen          write both files
    python -m baton.realtime.typegen --check  fail (exit 1) when either is out of date

The structs (``baton.realtime.contract``) become JSON Schema through msgspec, and the schema
becomes TypeScript here: one file per namespace, with every payload and ack type and the
event maps ``<Ns>ServerEvents`` (event -> payload) and ``<Ns>ClientEvents`` (event ->
[payload, ack | ErrorAck]). Never edit the generated files by hand.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import msgspec

from baton import catalog
from baton.realtime.actions import DECLARED
from baton.realtime.contract import ErrorAck, server_events
from baton.realtime.rooms import AGENT_NS, VISITOR_NS
from baton.settings import PROJECT_ROOT

TARGETS = {
    AGENT_NS: ("Agent", "apps/admin_web/src/realtime/contract.gen.ts"),
    VISITOR_NS: ("Widget", "apps/widget/src/app/contract.gen.ts"),
}
NO_PAYLOAD = "Record<string, never>"
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


@dataclass
class Namespace:
    server: dict[str, type[Any]] = field(default_factory=dict)
    client: dict[str, tuple[type[Any] | None, type[Any]]] = field(default_factory=dict)


def contract() -> dict[str, Namespace]:
    """Every declared event of each namespace: server events, client events with their acks."""
    catalog.import_realtime()
    spaces = {ns: Namespace() for ns in TARGETS}
    for (namespace, event), struct in sorted(server_events().items()):
        if namespace in spaces and struct.__module__.startswith("baton."):  # not tests' own
            spaces[namespace].server[event] = struct
    for actions in DECLARED:
        client = spaces[actions.namespace].client
        for action in actions.actions:
            if action.event in client:
                raise ValueError(f"{actions.namespace} {action.event!r} is handled twice")
            client[action.event] = (action.payload, action.ack)
    return spaces


class Emitter:
    """JSON Schema (the subset msgspec writes) -> TypeScript.

    The server always sends a field that has a default (only ``UNSET`` ones are left out),
    so in what the server sends (``sent``: the components its payloads and acks reach) a
    field with a default is required; in what a client sends it is optional."""

    def __init__(self, components: dict[str, Any], sent: set[str]) -> None:
        self.components = components
        self.sent = sent

    def type_of(self, schema: dict[str, Any]) -> str:
        if "$ref" in schema:
            return str(schema["$ref"]).rsplit("/", 1)[-1]
        if "anyOf" in schema:
            return " | ".join(dict.fromkeys(self.type_of(s) for s in schema["anyOf"]))
        if "enum" in schema:
            return " | ".join(json.dumps(v) for v in schema["enum"])
        if "const" in schema:
            return json.dumps(schema["const"])
        kind = schema.get("type")
        if kind == "string":
            return "string"
        if kind in ("integer", "number"):
            return "number"
        if kind == "boolean":
            return "boolean"
        if kind == "null":
            return "null"
        if kind == "array":
            item = self.type_of(schema.get("items", {}))
            return f"({item})[]" if " " in item else f"{item}[]"
        if kind == "object":
            if "properties" in schema:
                return self.object_body(schema, indent="")
            extra = schema.get("additionalProperties")
            value = self.type_of(extra) if isinstance(extra, dict) else "unknown"
            return f"Record<string, {value}>"
        return "unknown"

    def object_body(self, schema: dict[str, Any], *, indent: str, sent: bool = False) -> str:
        required = set(schema.get("required", ()))
        lines = ["{"]
        for name, prop in schema.get("properties", {}).items():
            key = name if _IDENTIFIER.match(name) else json.dumps(name)
            always = name in required or (sent and "default" in prop)
            optional = "" if always else "?"
            if prop.get("description"):
                lines.append(f"{indent}  /** {_one_line(prop['description'])} */")
            lines.append(f"{indent}  {key}{optional}: {self.type_of(prop)};")
        lines.append(f"{indent}}}")
        return "\n".join(lines)

    def declaration(self, name: str) -> str:
        schema = self.components[name]
        doc = f"/** {_one_line(schema['description'])} */\n" if schema.get("description") else ""
        if schema.get("type") == "object" and "properties" in schema:
            body = self.object_body(schema, indent="", sent=name in self.sent)
            return f"{doc}export interface {name} {body}"
        return f"{doc}export type {name} = {self.type_of(schema)};"


def reached(roots: list[str], components: dict[str, Any]) -> set[str]:
    """The components ``roots`` refer to, directly or through others."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(re.findall(r'"#/\$defs/([^"]+)"', json.dumps(components[name])))
    return seen


def _one_line(text: str) -> str:
    return " ".join(str(text).split()).replace("*/", "* /")


def render(namespace: str, space: Namespace) -> str:
    prefix, _ = TARGETS[namespace]
    outgoing: list[type[Any]] = [ErrorAck, *space.server.values()]
    incoming: list[type[Any]] = []
    for payload, ack in space.client.values():
        outgoing.append(ack)
        if payload is not None:
            incoming.append(payload)
    types = list(dict.fromkeys(outgoing + incoming))
    refs, components = msgspec.json.schema_components(types, ref_template="#/$defs/{name}")
    names = {t: str(r["$ref"]).rsplit("/", 1)[-1] for t, r in zip(types, refs, strict=True)}
    sent = reached([names[t] for t in outgoing], components)
    both = sent & reached([names[t] for t in incoming], components)
    if both:  # a field with a default would be required one way and optional the other
        raise ValueError(f"{namespace}: {sorted(both)} both sent and received; split them")
    emit = Emitter(components, sent)
    out = [
        f"// GENERATED by `python -m baton.realtime.typegen` from the realtime contract of {namespace}",
        "// (apps/api/baton/realtime/contract.py, server_events.py and each handler's payload and",
        "// ack structs). Do not edit by hand; see docs/realtime.md.",
        "/* eslint-disable */",
        "",
    ]
    out.extend(emit.declaration(name) + "\n" for name in sorted(components))
    out.append(f"/** Server -> client events on {namespace}: event name -> payload. */")
    out.append(f"export interface {prefix}ServerEvents {{")
    out.extend(f"  {event}: {names[struct]};" for event, struct in space.server.items())
    out.append("}\n")
    out.append(f"/** Client -> server events on {namespace}: event name -> [payload, ack]. */")
    out.append(f"export interface {prefix}ClientEvents {{")
    for event, (payload, ack) in sorted(space.client.items()):
        data = names[payload] if payload is not None else NO_PAYLOAD
        out.append(f"  {event}: [{data}, {names[ack]} | ErrorAck];")
    out.append("}\n")
    out.append(f"export type {prefix}ServerEvent = keyof {prefix}ServerEvents;")
    out.append(f"export type {prefix}ClientEvent = keyof {prefix}ClientEvents;")
    out.append(
        f"export type {prefix}Payload<E extends {prefix}ClientEvent> = {prefix}ClientEvents[E][0];"
    )
    out.append(
        f"export type {prefix}Ack<E extends {prefix}ClientEvent> = {prefix}ClientEvents[E][1];"
    )
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for namespace, space in contract().items():
        target = PROJECT_ROOT / TARGETS[namespace][1]
        text = render(namespace, space)
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target.relative_to(PROJECT_ROOT)))
            continue
        target.write_text(text, encoding="utf-8")
        print(f"typegen: wrote {target.relative_to(PROJECT_ROOT)}")
    if stale:
        print(
            f"typegen: {', '.join(stale)} out of date; run `python -m baton.realtime.typegen`",
            file=sys.stderr,
        )
        return 1
    if check:
        print("typegen: realtime types are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
