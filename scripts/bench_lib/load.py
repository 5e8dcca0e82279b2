"""Conversation load: N visitors and N agent-side sockets, messages at a fixed rate.

Each conversation has one visitor socket on /widget and one agent socket on /agent that
joined it. A message is timed from the visitor's emit to the agent socket's
``message_created`` carrying its ``client_id``; its ack (sent by Baton only after the message
is stored) and the visitor room's ``visitor_message`` echo are checked too.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .sio import SioConn, gather_limited, new_session
from .stats import percentile


@dataclass
class Pending:
    sent_at: float
    acked_at: float | None = None
    agent_at: float | None = None
    visitor_at: float | None = None
    error: str | None = None


@dataclass
class RateResult:
    target_rate: float
    duration: float
    sent: int
    achieved_rate: float
    acked: int
    delivered_agent: int
    delivered_visitor: int
    errors: int
    latencies_ms: list[float] = field(repr=False)
    ack_ms: list[float] = field(repr=False)

    @property
    def lost(self) -> int:
        return self.sent - min(self.acked, self.delivered_agent, self.delivered_visitor)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        return {
            "target_rate": self.target_rate,
            "achieved_rate": round(self.achieved_rate, 1),
            "sent": self.sent,
            "acked": self.acked,
            "delivered_agent": self.delivered_agent,
            "delivered_visitor": self.delivered_visitor,
            "errors": self.errors,
            "lost": self.lost,
            "p50_ms": percentile(lat, 50),
            "p99_ms": percentile(lat, 99),
            "max_ms": lat[-1] if lat else None,
            "ack_p50_ms": percentile(sorted(self.ack_ms), 50),
        }


class ConversationLoad:
    """Sockets for ``n`` conversations against Baton (``agents`` given) or the bare relay."""

    def __init__(
        self,
        base_url: str,
        n: int,
        *,
        agents: list[Any] | None,
        agent_sockets: int | None = None,
        headers_for: Any = None,
        tabs: int = 1,
        watchers: list[Any] | None = None,
    ) -> None:
        self.base_url = base_url
        self.n = n
        # agent socket j joins conversations j, j+m, j+2m... (m = agent_sockets); with
        # ``tabs`` > 1 each of those agents has that many sockets on the same conversations
        self.m = agent_sockets or n
        self.tabs = tabs
        # sockets that join nothing (an admin watching the whole inbox): they get the row
        # updates of every conversation, and load the server, but time nothing
        self.watchers = watchers or []
        self.agents = agents  # None: the relay (no auth, no take-over)
        self.headers_for = headers_for or (lambda i, side: None)
        self.session: aiohttp.ClientSession | None = None
        self.visitors: list[SioConn] = []
        self.agent_socks: list[SioConn] = []
        self.conversations: list[str] = []
        self.pending: dict[str, Pending] = {}
        self.ignored: int = 0

    def _on_agent(self, event: str, raw: str, at: float) -> None:
        message = json.loads(raw)[1]["message"]
        pending = self.pending.get(message.get("client_id") or "")
        if pending is not None and pending.agent_at is None:
            pending.agent_at = at

    def _on_visitor(self, event: str, raw: str, at: float) -> None:
        payload = json.loads(raw)[1]
        pending = self.pending.get(payload.get("client_id") or "")
        if pending is not None and pending.visitor_at is None:
            pending.visitor_at = at

    async def open(self, concurrency: int = 40) -> None:
        self.session = new_session()
        session = self.session

        async def visitor(i: int) -> tuple[SioConn, str]:
            conn = SioConn(session, "/widget", self._on_visitor, frozenset({"visitor_message"}))
            await conn.connect(self.base_url, headers=self.headers_for(i, "visitor"))
            started = await conn.call("start_session", {"visitor": {"name": f"Visitor {i}"}})
            if "error" in started:
                raise RuntimeError(f"start_session refused: {started}")
            return conn, started["conversation_id"]

        opened = await gather_limited(self.n, concurrency, visitor)
        failures = [o for o in opened if isinstance(o, BaseException)]
        if failures:
            raise RuntimeError(f"{len(failures)} visitor sockets failed: {failures[0]!r}")
        self.visitors = [o[0] for o in opened]
        self.conversations = [o[1] for o in opened]

        if self.agents:
            # take over over REST before any agent socket listens to the inbox broadcast
            async def take_over(i: int) -> None:
                token = self.agents[(i % self.m) % len(self.agents)].token  # type: ignore[index]
                async with session.post(
                    f"{self.base_url}/api/v1/conversations/{self.conversations[i]}/take-over",
                    headers={"Authorization": f"Bearer {token}"},
                ) as response:
                    if response.status >= 300:
                        raise RuntimeError(f"take_over: {response.status} {await response.text()}")

            results = await gather_limited(self.n, concurrency, take_over)
            failures = [r for r in results if isinstance(r, BaseException)]
            if failures:
                raise RuntimeError(f"{len(failures)} take-overs failed: {failures[0]!r}")

        async def agent(k: int) -> SioConn:
            i = k // self.tabs  # the agent; each of its tabs joins the same conversations
            conn = SioConn(session, "/agent", self._on_agent, frozenset({"message_created"}))
            auth = {"token": self.agents[i % len(self.agents)].token} if self.agents else None
            await conn.connect(self.base_url, auth=auth, headers=self.headers_for(i, "agent"))
            for conversation_id in self.conversations[i :: self.m]:
                joined = await conn.call("join_session", {"conversation_id": conversation_id})
                if "error" in joined:
                    raise RuntimeError(f"join_session refused: {joined}")
            return conn

        async def watcher(k: int) -> SioConn:
            conn = SioConn(session, "/agent", None, frozenset())
            await conn.connect(self.base_url, auth={"token": self.watchers[k].token})
            return conn

        socks = await gather_limited(self.m * self.tabs, concurrency, agent)
        failures = [s for s in socks if isinstance(s, BaseException)]
        if failures:
            raise RuntimeError(f"{len(failures)} agent sockets failed: {failures[0]!r}")
        self.agent_socks = socks
        if self.watchers:
            watching = await gather_limited(len(self.watchers), concurrency, watcher)
            failures = [s for s in watching if isinstance(s, BaseException)]
            if failures:
                raise RuntimeError(f"{len(failures)} watcher sockets failed: {failures[0]!r}")
            self.agent_socks = [*socks, *watching]

    async def close(self) -> None:
        await gather_limited(
            len(self.visitors) + len(self.agent_socks),
            100,
            lambda i: (self.visitors + self.agent_socks)[i].close(),
        )
        if self.session is not None:
            await self.session.close()

    def all_connected(self) -> bool:
        return all(c.connected for c in self.visitors + self.agent_socks)

    async def _send(self, i: int, pending: Pending, client_id: str) -> None:
        conv = i % self.n
        try:
            ack = await self.visitors[conv].call(
                "user_message",
                {"client_id": client_id, "text": f"bench message {client_id}"},
                timeout=30,
            )
            if isinstance(ack, dict) and "error" not in ack and ack.get("id"):
                pending.acked_at = time.perf_counter()
            else:
                pending.error = str(ack)
        except Exception as exc:
            pending.error = repr(exc)

    async def run_at(
        self, rate: float, duration: float, drain: float = 5.0, max_in_flight: int = 5000
    ) -> RateResult:
        """Send at ``rate`` msg/s for ``duration`` s (bounded), then wait up to ``drain`` s."""
        self.pending = {}
        tasks: list[asyncio.Task[None]] = []
        total = int(rate * duration)
        start = time.perf_counter()
        for k in range(total):
            due = start + k / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            in_flight = sum(
                1 for p in self.pending.values() if p.acked_at is None and p.error is None
            )
            if in_flight >= max_in_flight:
                break  # the server is not keeping up; stop offering more
            client_id = uuid.uuid4().hex
            pending = Pending(sent_at=time.perf_counter())
            self.pending[client_id] = pending
            tasks.append(asyncio.create_task(self._send(k, pending, client_id)))
        send_end = time.perf_counter()
        sent = len(self.pending)
        deadline = send_end + drain
        while time.perf_counter() < deadline:
            if all(
                p.error is not None or (p.acked_at and p.agent_at and p.visitor_at)
                for p in self.pending.values()
            ):
                break
            await asyncio.sleep(0.05)
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        values = list(self.pending.values())
        return RateResult(
            target_rate=rate,
            duration=duration,
            sent=sent,
            achieved_rate=sent / max(send_end - start, 1e-9),
            acked=sum(1 for p in values if p.acked_at),
            delivered_agent=sum(1 for p in values if p.agent_at),
            delivered_visitor=sum(1 for p in values if p.visitor_at),
            errors=sum(1 for p in values if p.error),
            latencies_ms=[(p.agent_at - p.sent_at) * 1000 for p in values if p.agent_at],
            ack_ms=[(p.acked_at - p.sent_at) * 1000 for p in values if p.acked_at],
        )
