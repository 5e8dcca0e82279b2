"""Tools served by a real backend over HTTP.

An admin declares an endpoint (``POST /api/v1/tools/integrations``): its URL (checked by the
outbound guard when saved and before every call), the tools it serves (name, description,
argument schema, policy) and a timeout; Baton generates the signing secret, seals it with the
runtime's envelope and shows it once. Each call is one POST of
``{"tool", "arguments", "action_id", "conversation_id"}`` signed like the webhooks:
``X-Baton-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`` with
``X-Baton-Timestamp``, ``X-Baton-Event: tool.call`` and ``X-Baton-Delivery: <action id>`` (a
receiver can drop a repeat). A 2xx JSON object is the result; anything else (a refusal, a
timeout, a 5xx, a body that is not JSON) is an error shown to the agent and to the model.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx

from baton.kit.outbound import OutboundRefused, check_outbound_url
from baton.tools.models import ToolIntegration
from baton.tools.registry import Policy, Tool, ToolContext, ToolFailed
from baton.webhooks.delivery import sign

USER_AGENT = "Baton-Tools/1"
EVENT = "tool.call"
TEST_EVENT = "tool.test"  # an admin trying a tool from the console


def secret_context(integration_id: uuid.UUID) -> str:
    return f"tool_integration:{integration_id}"


class ToolHttp:
    """This process's HTTP client for tool calls (``runtime.slot(ToolHttp)``)."""

    def __init__(self) -> None:
        self.client: httpx.AsyncClient | None = None

    def get(self) -> httpx.AsyncClient:
        if self.client is None:
            self.client = httpx.AsyncClient(
                follow_redirects=False, headers={"User-Agent": USER_AGENT}
            )
        return self.client

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None


async def call(
    ctx: ToolContext, *, url: str, secret: str, timeout: float, tool: str, args: dict[str, Any]
) -> dict[str, Any]:
    payload = {
        "tool": tool,
        "arguments": args,
        "action_id": str(ctx.action_id),
        "conversation_id": str(ctx.conversation_id),
    }
    return await post(
        ctx.runtime,
        url=url,
        secret=secret,
        timeout=timeout,
        payload=payload,
        event=EVENT,
        delivery=str(ctx.action_id),
    )


async def post(
    runtime: Any,
    *,
    url: str,
    secret: str,
    timeout: float,
    payload: dict[str, Any],
    event: str,
    delivery: str,
) -> dict[str, Any]:
    """One signed POST to a tool endpoint; its JSON object answer, or ``ToolFailed``."""
    settings = runtime.settings
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Baton-Event": event,
        "X-Baton-Delivery": delivery,
        "X-Baton-Timestamp": timestamp,
        "X-Baton-Signature": sign(secret, timestamp, body),
    }
    try:
        await check_outbound_url(
            url, allow=settings.outbound_allow, allow_private=settings.allow_private_outbound
        )
        response = (
            await runtime.slot(ToolHttp)
            .get()
            .post(url, content=body, headers=headers, timeout=timeout)
        )
    except OutboundRefused as exc:
        raise ToolFailed(f"refused: {exc.detail}") from None
    except httpx.TimeoutException:
        raise ToolFailed(f"the tool endpoint did not answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise ToolFailed(f"the tool endpoint could not be reached ({type(exc).__name__})") from None
    if not 200 <= response.status_code < 300:
        raise ToolFailed(
            f"the tool endpoint answered HTTP {response.status_code}: {response.text[:300]}".rstrip(
                ": "
            )
        )
    try:
        value = response.json()
    except ValueError:
        raise ToolFailed("the tool endpoint answered with a body that is not JSON") from None
    if not isinstance(value, dict):
        raise ToolFailed("the tool endpoint must answer with a JSON object")
    return value


async def test_call(
    runtime: Any, row: ToolIntegration, secret: str, *, tool: str, args: dict[str, Any]
) -> dict[str, Any]:
    """An admin's trial of one tool: signed like a real call, with ``X-Baton-Event:
    tool.test`` and no conversation (``action_id`` a fresh id, ``conversation_id`` null),
    so a backend can tell a trial from a real call."""
    delivery = str(uuid.uuid4())
    payload = {
        "tool": tool,
        "arguments": args,
        "action_id": delivery,
        "conversation_id": None,
        "test": True,
    }
    return await post(
        runtime,
        url=row.url or "",
        secret=secret,
        timeout=row.timeout_seconds,
        payload=payload,
        event=TEST_EVENT,
        delivery=delivery,
    )


def tools(row: ToolIntegration, secret: str) -> list[Tool]:
    url, timeout = row.url or "", row.timeout_seconds
    out: list[Tool] = []
    for declared in row.tools or []:
        name = str(declared["name"])

        async def handler(
            ctx: ToolContext, args: dict[str, Any], name: str = name
        ) -> dict[str, Any]:
            return await call(ctx, url=url, secret=secret, timeout=timeout, tool=name, args=args)

        policy: Policy = "auto" if declared.get("policy") == "auto" else "approval"
        out.append(
            Tool(
                name,
                str(declared.get("description") or name),
                dict(declared["parameters"]),
                policy,
                handler,
                "http",
            )
        )
    return out
