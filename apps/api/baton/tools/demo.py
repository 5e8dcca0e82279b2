"""The demo order backend: what ``baton demo`` seeds so the AI's tools work out of the box.

Its orders live in the demo integration's ``state`` (a JSON document in the database), so a
cancel or a refund changes what a later ``get_order_status`` says. Reads are ``auto``;
anything that changes an order or an account needs an agent's approval. ``reset_password``
records the request in the demo state; the demo backend sends no email, and says so.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from sqlalchemy import select

from baton.db.base import utcnow
from baton.kit.uow import unit_of_work
from baton.tools.models import ToolIntegration
from baton.tools.registry import Handler, Tool, ToolContext, ToolFailed

DEMO_NAME = "Demo order backend"

DEMO_ORDERS: tuple[dict[str, Any], ...] = (
    {
        "number": "1001",
        "email": "maria@example.com",
        "status": "processing",
        "placed_at": "2026-11-28",
        "items": [{"name": "Trail running shoes", "quantity": 1}],
        "total": "89.00",
        "currency": "USD",
        "tracking": None,
    },
    {
        "number": "1002",
        "email": "maria@example.com",
        "status": "shipped",
        "placed_at": "2026-11-20",
        "items": [{"name": "Rain jacket", "quantity": 1}, {"name": "Wool socks", "quantity": 3}],
        "total": "142.50",
        "currency": "USD",
        "tracking": "1Z999AA10123456784",
    },
    {
        "number": "1003",
        "email": "sam@example.com",
        "status": "delivered",
        "placed_at": "2026-11-02",
        "items": [{"name": "Camping stove", "quantity": 1}],
        "total": "64.90",
        "currency": "USD",
        "tracking": "1Z999AA10123456785",
    },
    {
        "number": "1004",
        "email": "sam@example.com",
        "status": "processing",
        "placed_at": "2026-12-01",
        "items": [{"name": "Headlamp", "quantity": 2}],
        "total": "39.98",
        "currency": "USD",
        "tracking": None,
    },
)


def initial_state() -> dict[str, Any]:
    return {"orders": copy.deepcopy(list(DEMO_ORDERS)), "password_resets": []}


ORDER_NUMBER = {"type": "string", "description": "The order number, e.g. 1001."}
EMAIL = {"type": "string", "description": "The customer's email address."}


def _public(order: dict[str, Any]) -> dict[str, Any]:
    return {
        k: order.get(k)
        for k in (
            "number",
            "status",
            "placed_at",
            "items",
            "total",
            "currency",
            "tracking",
            "refunded",
            "cancelled_reason",
        )
        if order.get(k) is not None
    }


def _find(state: dict[str, Any], number: Any) -> dict[str, Any]:
    wanted = str(number).strip().lstrip("#")
    for order in state.get("orders", []):
        if order.get("number") == wanted:
            return order  # type: ignore[no-any-return]
    raise ToolFailed(f"no order {wanted}")


async def _read(ctx: ToolContext, integration_id: uuid.UUID) -> dict[str, Any]:
    async with unit_of_work(ctx.runtime) as uow:
        row = await uow.session.get(ToolIntegration, integration_id)
        if row is None:
            raise ToolFailed("the demo order backend is gone")
        return copy.deepcopy(row.state or {})


async def _change(ctx: ToolContext, integration_id: uuid.UUID, change: Any) -> dict[str, Any]:
    """Read, change and write the demo state in one transaction (the row is locked on
    PostgreSQL; SQLite serialises writers)."""
    async with unit_of_work(ctx.runtime) as uow:
        row = await uow.session.scalar(
            select(ToolIntegration).where(ToolIntegration.id == integration_id).with_for_update()
        )
        if row is None:
            raise ToolFailed("the demo order backend is gone")
        state = copy.deepcopy(row.state or {})
        result: dict[str, Any] = change(state)
        row.state = state
        return result


def tools(integration_id: uuid.UUID) -> list[Tool]:
    async def order_history(ctx: ToolContext, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args["email"]).strip().lower()
        state = await _read(ctx, integration_id)
        orders = [_public(o) for o in state.get("orders", []) if o.get("email") == email]
        return {"email": email, "orders": orders}

    async def order_status(ctx: ToolContext, args: dict[str, Any]) -> dict[str, Any]:
        return _public(_find(await _read(ctx, integration_id), args["order_number"]))

    async def cancel(ctx: ToolContext, args: dict[str, Any]) -> dict[str, Any]:
        def change(state: dict[str, Any]) -> dict[str, Any]:
            order = _find(state, args["order_number"])
            if order["status"] != "processing":
                raise ToolFailed(
                    f"order {order['number']} is {order['status']}: only an order still "
                    "processing can be cancelled"
                )
            order["status"] = "cancelled"
            order["cancelled_reason"] = str(args.get("reason") or "")[:200] or None
            return _public(order)

        return await _change(ctx, integration_id, change)

    async def refund(ctx: ToolContext, args: dict[str, Any]) -> dict[str, Any]:
        def change(state: dict[str, Any]) -> dict[str, Any]:
            order = _find(state, args["order_number"])
            if order.get("refunded"):
                raise ToolFailed(f"order {order['number']} is refunded already")
            if order["status"] not in ("delivered", "cancelled", "shipped"):
                raise ToolFailed(f"order {order['number']} is {order['status']}: nothing to refund")
            order["refunded"] = order["total"]
            order["status"] = "refunded"
            return _public(order)

        return await _change(ctx, integration_id, change)

    async def reset(ctx: ToolContext, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args["email"]).strip().lower()

        def change(state: dict[str, Any]) -> dict[str, Any]:
            if not any(o.get("email") == email for o in state.get("orders", [])):
                raise ToolFailed(f"no customer account for {email}")
            at = utcnow().isoformat()
            state.setdefault("password_resets", []).append({"email": email, "at": at})
            return {
                "email": email,
                "reset_requested_at": at,
                "note": "recorded by the demo backend, which sends no email",
            }

        return await _change(ctx, integration_id, change)

    def tool(
        name: str,
        description: str,
        props: dict[str, Any],
        required: list[str],
        policy: str,
        handler: Handler,
    ) -> Tool:
        schema = {"type": "object", "properties": props, "required": required}
        return Tool(
            name, description, schema, "auto" if policy == "auto" else "approval", handler, "demo"
        )

    return [
        tool(
            "get_order_history",
            "List a customer's orders (number, status, date, total).",
            {"email": EMAIL},
            ["email"],
            "auto",
            order_history,
        ),
        tool(
            "get_order_status",
            "Look up one order: status, items, tracking number.",
            {"order_number": ORDER_NUMBER},
            ["order_number"],
            "auto",
            order_status,
        ),
        tool(
            "cancel_order",
            "Cancel an order that has not shipped yet (a person approves).",
            {
                "order_number": ORDER_NUMBER,
                "reason": {"type": "string", "description": "Why the customer cancels."},
            },
            ["order_number"],
            "approval",
            cancel,
        ),
        tool(
            "refund_order",
            "Refund an order in full (a person approves).",
            {"order_number": ORDER_NUMBER},
            ["order_number"],
            "approval",
            refund,
        ),
        tool(
            "reset_password",
            "Start a password reset for a customer (a person approves).",
            {"email": EMAIL},
            ["email"],
            "approval",
            reset,
        ),
    ]
