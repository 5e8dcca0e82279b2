"""A flaky network, beyond "offline": the widget's WebSocket is cut at the worst moments by a
Playwright WebSocket route between the iframe and the api. Whatever is lost, the visitor's
message ends up stored once and reaches the agent once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from baton.runtime import Runtime
from tests.browser.test_widget import SLOW
from tests.browser.widget_fixtures import (
    Agent,
    Visit,
    agent,
    host_site,
    open_widget,
    send,
    stored_count,
    visit,
)
from tests.realtime.clients import barrier
from tests.support import wait_for

pytestmark = pytest.mark.browser
__all__ = ["agent", "host_site", "visit"]  # fixtures used by name

EVENT = re.compile(r"^42/widget,(\d+)\[")  # a Socket.IO event that wants an ack, on /widget


class Cutter:
    """Relays the widget's WebSocket frames; cuts the connection once, as told."""

    def __init__(self, text: str, lose: str) -> None:
        self.text = text
        self.lose = (
            lose  # "message": the frame never reaches the api; "ack": the reply never returns
        )
        self.ack_id: str | None = None
        self.cut = False
        self.connections = 0

    async def route(self, ws: Any) -> None:
        self.connections += 1
        server = ws.connect_to_server()

        async def from_page(message: str | bytes) -> None:
            if (
                not self.cut
                and isinstance(message, str)
                and '"user_message"' in message
                and self.text in message
            ):
                match = EVENT.match(message)
                assert match, message
                self.ack_id = match.group(1)
                if self.lose == "message":
                    self.cut = True
                    await ws.close(code=4000, reason="network cut")
                    return
            server.send(message)

        async def from_server(message: str | bytes) -> None:
            if (
                not self.cut
                and self.lose == "ack"
                and self.ack_id is not None
                and isinstance(message, str)
                and (message.startswith(f"43/widget,{self.ack_id}[") or self.text in message)
            ):
                # stored by the api, but neither its ack nor its echo reaches the visitor
                self.cut = True
                await ws.close(code=4000, reason="network cut")
                return
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)


async def _conversation_joined(visit: Visit, host_site: str, agent: Agent) -> Any:
    frame = await open_widget(visit.page, host_site + "/")
    await send(frame, "Hello there")
    await expect(
        frame.locator('.msg[data-sender="visitor"][data-state="sent"]').filter(
            has_text="Hello there"
        )
    ).to_be_visible()
    response = await agent.http.get(
        "/api/v1/conversations", headers={"Authorization": f"Bearer {agent.token}"}
    )
    [conversation] = response.json()["items"]
    joined = await agent.client.call("join_session", {"conversation_id": conversation["id"]})
    assert "error" not in joined, joined
    return frame


@pytest.mark.parametrize("lose", ["ack", "message"])
async def test_a_cut_mid_message_delivers_it_exactly_once(
    visit: Visit, host_site: str, agent: Agent, runtime: Runtime, lose: str
) -> None:
    text = f"Does this arrive once? (lost {lose})"
    cutter = Cutter(text, lose)
    await visit.page.route_web_socket(re.compile(r"/socket\.io/"), cutter.route)
    frame = await _conversation_joined(visit, host_site, agent)
    assert cutter.connections == 1

    await send(frame, text)
    mine = frame.locator('.msg[data-sender="visitor"]').filter(has_text=text)
    await expect(mine).to_have_attribute("data-state", "sent", timeout=SLOW)
    assert cutter.cut  # it really was cut...
    await wait_for(lambda: _ready(cutter.connections >= 2), timeout=15)  # ...and came back
    await expect(frame.get_by_test_id("offline")).to_be_hidden(timeout=SLOW)
    await wait_for(lambda: _ready(agent.messages_with(text)), timeout=10)
    await barrier(runtime, agent.client)  # a duplicate would have arrived before this
    assert len(agent.messages_with(text)) == 1
    assert await stored_count(runtime, text) == 1
    await expect(mine).to_have_count(1)
    # the AI answered both messages once each (and is done before the test's data is wiped)
    answers = frame.locator('.msg[data-sender="bot"][data-state="sent"]')
    await expect(answers).to_have_count(2, timeout=SLOW)
    assert [p for p in visit.problems if p.startswith("pageerror")] == []


async def _ready(value: Any) -> Any:
    return value
