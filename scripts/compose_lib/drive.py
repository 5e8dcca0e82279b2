"""One visitor-to-agent conversation through the proxy, across an api container restart.

The visitor is pinned to api2 and the agent to api1 (the proxy's ``baton_node`` cookie), so
every message between them crosses Redis; api1 is restarted mid-conversation and the agent
reconnects, joins again and the conversation goes on. Every message is then read back once
over REST. Exits non-zero with the step that failed.

    python -m scripts.compose_lib.drive --proxy URL --email E --password P --restart CMD
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import socketio

TIMEOUT = 30.0


class Client:
    """A python-socketio client that keeps what it received, for waiting on it."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5)
        self.events: list[tuple[str, Any]] = []
        self.arrived = asyncio.Condition()
        self.connects = 0
        # python-socketio sets ``sio.connected`` only after the namespace's connect handler
        # ran, and nothing is notified then: waiting on it could miss a reconnect
        self.up = False
        self.log: list[str] = []  # connects and disconnects, for the failure message

        @self.sio.on("*", namespace=namespace)
        async def _any(event: str, data: Any = None) -> None:
            async with self.arrived:
                self.events.append((event, data))
                self.arrived.notify_all()

        @self.sio.on("connect", namespace=namespace)
        async def _connected() -> None:
            async with self.arrived:
                self.connects += 1
                self.up = True
                self.log.append(f"{time.strftime('%X')} connected")
                self.arrived.notify_all()

        @self.sio.on("disconnect", namespace=namespace)
        async def _disconnected(reason: Any = None) -> None:
            async with self.arrived:
                self.up = False
                self.log.append(f"{time.strftime('%X')} disconnected ({reason})")
                self.arrived.notify_all()

    async def connect(self, url: str, node: str, auth: dict[str, str] | None = None) -> None:
        await self.sio.connect(
            url,
            namespaces=[self.namespace],
            transports=["websocket"],
            auth=auth,
            headers={"Cookie": f"baton_node={node}"},
            wait_timeout=TIMEOUT,
        )

    async def call(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        ack = await self.sio.call(event, data, namespace=self.namespace, timeout=TIMEOUT)
        if not isinstance(ack, dict) or "error" in ack:
            raise SystemExit(f"{self.namespace} {event} refused: {ack!r}")
        return ack

    async def wait(self, predicate: Callable[[], bool], what: str) -> None:
        async with self.arrived:
            try:
                await asyncio.wait_for(self.arrived.wait_for(predicate), TIMEOUT)
            except TimeoutError:
                history = "; ".join(self.log) or "no connection events"
                raise SystemExit(
                    f"timed out waiting for {what} ({self.namespace}: {history})"
                ) from None

    async def wait_event(self, event: str, predicate: Callable[[Any], bool], what: str) -> Any:
        found: list[Any] = []

        def seen() -> bool:
            found[:] = [d for e, d in self.events if e == event and predicate(d)]
            return bool(found)

        await self.wait(seen, what)
        return found[0]


def step(text: str) -> None:
    print(f"  - {text}", flush=True)


async def drive(proxy: str, email: str, password: str, restart: str) -> None:
    async with httpx.AsyncClient(base_url=proxy, timeout=TIMEOUT) as http:
        nodes = {(await http.get("/health")).status_code for _ in range(4)}
        if nodes != {200}:
            raise SystemExit(f"/health through the proxy answered {nodes}")
        login = await http.post("/api/v1/auth/login", json={"email": email, "password": password})
        if login.status_code != 200:
            raise SystemExit(f"login through the proxy: {login.status_code} {login.text}")
        token = login.json()["access_token"]
        step("the proxy answers /health and signs the agent in")

        agent, visitor = Client("/agent"), Client("/widget")
        try:
            await agent.connect(proxy, "api1", auth={"token": token})
            await visitor.connect(proxy, "api2")
            started = await visitor.call("start_session", {"visitor": {"name": "Compose Vic"}})
            conversation = started["conversation_id"]
            sent = await visitor.call(
                "user_message", {"client_id": uuid.uuid4().hex, "text": "help me"}
            )
            await agent.wait_event(
                "conversation_updated",
                lambda d: d["conversation"]["id"] == conversation,
                "the agent to see the new conversation",
            )
            joined = await agent.call("join_session", {"conversation_id": conversation})
            if sent["id"] not in [m["id"] for m in joined["messages"]]:
                raise SystemExit("the visitor's message is not in the conversation")
            await agent.call("take_over", {"conversation_id": conversation})
            reply = await agent.call(
                "agent_message",
                {"conversation_id": conversation, "client_id": uuid.uuid4().hex, "text": "hi Vic"},
            )
            await visitor.wait_event(
                "agent_message",
                lambda d: d["id"] == reply["id"],
                "the visitor to get the agent's reply",
            )
            step("visitor (api2) and agent (api1) talk through the proxy and Redis")

            began = time.monotonic()
            restarting = await asyncio.create_subprocess_exec(
                *shlex.split(restart),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            _, err = await restarting.communicate()
            if restarting.returncode != 0:
                raise SystemExit(f"restarting api1 failed: {err.decode()[-500:]}")
            step(f"api1 restarted in {time.monotonic() - began:.1f} s")
            # the visitor's side keeps going while the agent's process is away
            during = await visitor.call(
                "user_message", {"client_id": uuid.uuid4().hex, "text": "are you still there?"}
            )
            await agent.wait(lambda: agent.connects >= 2 and agent.up, "the agent to reconnect")
            rejoined = await agent.call("join_session", {"conversation_id": conversation})
            if during["id"] not in [m["id"] for m in rejoined["messages"]]:
                raise SystemExit("the message sent during the restart is missing")
            after = await visitor.call(
                "user_message", {"client_id": uuid.uuid4().hex, "text": "thanks"}
            )
            await agent.wait_event(
                "message_created",
                lambda d: d["message"]["id"] == after["id"],
                "the agent to get the visitor's message after the restart",
            )
            back = await agent.call(
                "agent_message",
                {"conversation_id": conversation, "client_id": uuid.uuid4().hex, "text": "welcome"},
            )
            await visitor.wait_event(
                "agent_message",
                lambda d: d["id"] == back["id"],
                "the visitor to get the reply after the restart",
            )
            step("after the restart the agent reconnects, rejoins, and the conversation goes on")
        finally:
            await agent.sio.disconnect()
            await visitor.sio.disconnect()

        messages = await http.get(
            f"/api/v1/conversations/{conversation}/messages",
            headers={"Authorization": f"Bearer {token}"},
            params={"limit": 100},
        )
        if messages.status_code != 200:
            raise SystemExit(f"reading the messages: {messages.status_code} {messages.text}")
        ids = [m["id"] for m in messages.json()["items"]]
        wanted = [sent["id"], reply["id"], during["id"], after["id"], back["id"]]
        missing = [i for i in wanted if i not in ids]
        if missing or len(ids) != len(set(ids)):
            raise SystemExit(f"stored messages wrong: missing {missing}, ids {ids}")
        step(f"all {len(wanted)} messages stored once ({len(ids)} in the conversation)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--restart", required=True, help="command that restarts api1")
    args = parser.parse_args()
    try:
        asyncio.run(drive(args.proxy, args.email, args.password, args.restart))
    except SystemExit as exc:
        if exc.code not in (None, 0):
            print(f"compose-test: {exc.code}", file=sys.stderr)
            raise SystemExit(1) from None


if __name__ == "__main__":
    main()
