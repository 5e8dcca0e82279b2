"""Vision: the images a visitor sends reach vision-capable providers in each SDK's own wire
format (through the fakes, streamed back token by token), with the admin's image-analysis
prompt; providers without vision are skipped for such a turn; the built-in responder says it
cannot see images and offers a person; a message of files only reaches the model."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from baton.ai.person_offer import CANNOT_OPEN_FILES, CANNOT_SEE_IMAGES, IMAGE_NOTE
from baton.ai.providers.builtin import TALK_TO_PERSON
from baton.ai.vision import MAX_SIDE
from baton.attachments.storage import storage_of
from baton.runtime import Runtime
from tests.ai.fakes import FakeLLM, ImagePart, Script
from tests.ai.helpers import (
    add_provider,
    admin,
    ask,
    ask_with_files,
    base_url_for,
    logs_of,
    seed_kb,
    streamed,
    upload,
)
from tests.ai.test_streaming import system_text
from tests.attachments.files import png
from tests.conversations.helpers import cid, visitor
from tests.support import LiveServer

KINDS = ["openai", "anthropic", "gemini"]
MODELS = {"openai": "gpt-fake", "anthropic": "claude-fake", "gemini": "gemini-fake"}
IMAGE_PROMPT = "Read the error message on the visitor's screenshot first."
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _vision_provider(
    client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM, kind: str, **extra: object
) -> dict[str, str]:
    headers = await admin(client, runtime)
    await add_provider(
        client,
        headers,
        kind=kind,
        name=f"{kind} vision",
        model=MODELS[kind],
        base_url=base_url_for(kind, fake.base_url),
        api_key=fake.key,
        **extra,
    )
    return headers


@pytest.mark.parametrize("kind", KINDS)
async def test_an_image_reaches_each_provider_in_its_wire_format(
    kind: str, server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    headers = await _vision_provider(client, runtime, fake, kind, vision=True)
    r = await client.patch(
        "/api/v1/ai/settings", json={"image_analysis_prompt": IMAGE_PROMPT}, headers=headers
    )
    assert r.status_code == 200, r.text
    tokens = ["The screenshot", " shows", " a card", " error."]
    fake.script = Script(tokens=tokens)
    image = png(64, 48, "red")
    v, conversation_id, bot = await ask_with_files(
        server.base_url, client, "What does this error mean?", [("error.png", image)]
    )
    try:
        assert bot["text"] == "".join(tokens)
        assert "".join(streamed(v, bot["id"])) == "".join(tokens)  # streamed, as usual
        [request] = fake.requests
        assert request.protocol == kind
        # a small PNG goes as it is, on the visitor's turn that carried it
        [part] = request.images()
        assert part == ImagePart("image/png", image, part.turn)
        assert "What does this error mean?" in request.user_texts()[-1]
        assert "error.png" not in request.user_texts()[-1]  # the image itself, not its name
        system = system_text(kind, request.body)
        assert IMAGE_PROMPT in system
        [log] = await logs_of(runtime, conversation_id)
        assert (log.provider_kind, log.outcome) == (kind, "answered")

        # the next text question still shows the model the image in the history window,
        # and a prompt without images carries no image-analysis prompt
        fake.script = Script(tokens=["Sure."])
        _, _, again = await ask(server.base_url, "And how do I fix it?", client=v)
        assert again["text"] == "Sure."
        assert len(fake.requests[-1].images()) == 1
    finally:
        await v.disconnect()


async def test_no_image_no_image_prompt(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    headers = await _vision_provider(client, runtime, fake, "anthropic")
    await client.patch(
        "/api/v1/ai/settings", json={"image_analysis_prompt": IMAGE_PROMPT}, headers=headers
    )
    fake.script = Script(tokens=["Hi."])
    v, _, _ = await ask(server.base_url, "hello there, what are your hours?")
    try:
        [request] = fake.requests
        assert request.images() == []
        assert IMAGE_PROMPT not in system_text("anthropic", request.body)
    finally:
        await v.disconnect()


def _picture(width: int, height: int) -> bytes:
    """A photo-like image (noise compresses badly: a big PNG)."""
    image = Image.effect_noise((width, height), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def test_a_files_only_message_reaches_the_model_with_big_images_downscaled(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    await _vision_provider(client, runtime, fake, "openai", vision=True)
    fake.script = Script(tokens=["I see a photo and a manual."])
    big = _picture(2400, 1600)
    v, _, bot = await ask_with_files(
        server.base_url, client, "", [("photo.png", big), ("manual.pdf", PDF)]
    )
    try:
        assert bot["text"] == "I see a photo and a manual."
        [request] = fake.requests
        text = request.user_texts()[-1]
        # no names-as-a-question: the PDF is described, the image is sent
        assert "photo.png, manual.pdf" not in text
        assert f"[attached: manual.pdf (application/pdf, {len(PDF)} bytes)]" in text
        [part] = request.images()
        assert part.media_type == "image/jpeg"  # re-encoded: too large as it was
        with Image.open(io.BytesIO(part.data)) as seen:
            assert seen.size[0] == MAX_SIDE and abs(seen.size[1] - 1045) <= 1
    finally:
        await v.disconnect()


async def test_a_provider_without_vision_is_skipped_for_an_image_turn(
    server: LiveServer,
    client: httpx.AsyncClient,
    runtime: Runtime,
    fake: FakeLLM,
    backup: FakeLLM,
) -> None:
    headers = await admin(client, runtime)
    # an OpenAI-compatible endpoint: no vision unless the admin says so (the default)
    local = await add_provider(
        client,
        headers,
        kind="openai",
        name="local model",
        model="llama-fake",
        base_url=f"{fake.base_url}/v1",
        api_key=fake.key,
        priority=10,
    )
    cloud = await add_provider(
        client,
        headers,
        kind="anthropic",
        name="cloud vision",
        model="claude-fake",
        base_url=backup.base_url,
        api_key=backup.key,
        priority=20,
    )
    assert (local["vision"], cloud["vision"]) == (False, True)
    fleet = (await client.get("/api/v1/ai/fleet", headers=headers)).json()["members"]
    assert [m["vision"] for m in fleet] == [False, True, False]  # ..., the built-in
    backup.script = Script(tokens=["A broken screen."])
    fake.script = Script(tokens=["Text only."])
    v, conversation_id, bot = await ask_with_files(
        server.base_url, client, "What is wrong?", [("screen.png", png())]
    )
    try:
        assert bot["text"] == "A broken screen."
        assert fake.requests == []  # never asked: it cannot see the image
        [request] = backup.requests
        assert len(request.images()) == 1
        [log] = await logs_of(runtime, conversation_id)
        assert log.provider_name == "cloud vision" and log.failovers == 1
        assert log.attempts[0]["name"] == "local model"
        assert log.attempts[0]["error"] == "no_vision"
    finally:
        await v.disconnect()
    # a turn without images goes to the first provider as before
    w, _, plain = await ask(server.base_url, "What are your opening hours?")
    try:
        assert plain["text"] == "Text only."
        assert len(fake.requests) == 1 and len(backup.requests) == 1
    finally:
        await w.disconnect()

    # the admin turns vision on: the local model gets the image turns too
    r = await client.patch(
        f"/api/v1/ai/providers/{local['id']}", json={"vision": True}, headers=headers
    )
    assert r.status_code == 200 and r.json()["vision"] is True
    x, _, seen = await ask_with_files(server.base_url, client, "And this?", [("b.png", png())])
    try:
        assert seen["text"] == "Text only."
        assert len(fake.requests[-1].images()) == 1
    finally:
        await x.disconnect()


async def test_the_builtin_responder_cannot_see_images_and_offers_a_person(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await seed_kb(runtime)
    v, conversation_id, bot = await ask_with_files(
        server.base_url, client, "", [("screen.png", png())]
    )
    try:
        assert bot["text"] == CANNOT_SEE_IMAGES
        assert bot["suggestions"][0] == TALK_TO_PERSON
        assert "".join(streamed(v, bot["id"])).strip() == CANNOT_SEE_IMAGES
        [log] = await logs_of(runtime, conversation_id)
        assert (log.provider_kind, log.outcome) == ("builtin", "no_answer")
    finally:
        await v.disconnect()
    # words the knowledge base covers are answered, with an honest note and the offer
    w, _, answered = await ask_with_files(
        server.base_url, client, "How do I return an item?", [("parcel.png", png())]
    )
    try:
        assert answered["text"].endswith(IMAGE_NOTE)
        assert "From our help center: Returns and refunds" in answered["text"]
        assert TALK_TO_PERSON in answered["suggestions"]
    finally:
        await w.disconnect()
    # other files alone: it cannot open them either
    x, _, pdf = await ask_with_files(server.base_url, client, "", [("manual.pdf", PDF)])
    try:
        assert pdf["text"] == CANNOT_OPEN_FILES
        assert pdf["suggestions"][0] == TALK_TO_PERSON
    finally:
        await x.disconnect()


async def test_every_vision_provider_down_the_builtin_says_it_cannot_see(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    """Every vision provider down: the image turn ends with the built-in's honest line."""
    await _vision_provider(client, runtime, fake, "gemini")
    fake.script = Script(mode="error500")
    v, conversation_id, bot = await ask_with_files(
        server.base_url, client, "", [("screen.png", png())]
    )
    try:
        assert bot["text"] == CANNOT_SEE_IMAGES
        assert len(fake.requests) == 1 and len(fake.requests[0].images()) == 1
        [log] = await logs_of(runtime, conversation_id)
        assert log.provider_kind == "builtin" and log.attempts[0]["error"].startswith(
            "server_error"
        )
    finally:
        await v.disconnect()


async def test_an_image_that_cannot_be_read_reaches_the_model_as_its_name(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime, fake: FakeLLM
) -> None:
    """Its stored object is gone: the turn names it, and a provider without vision may
    answer (there is no image in the prompt)."""
    await _vision_provider(client, runtime, fake, "openai")  # a base_url: no vision
    fake.script = Script(tokens=["I can't open that one."])
    v, start = await visitor(server.base_url)
    try:
        image = png()
        up = await upload(client, start["session_token"], "gone.png", image)
        await storage_of(runtime).delete(up["id"])
        ack = await v.call(
            "user_message", {"client_id": cid(), "text": "look", "attachment_ids": [up["id"]]}
        )
        assert "error" not in ack, ack
        bot = await v.wait_for("bot_message", lambda _: True, timeout=15)
        assert bot["text"] == "I can't open that one."
        [request] = fake.requests
        assert request.images() == []
        assert request.user_texts()[-1] == (
            f"look\n[attached: gone.png (image/png, {len(image)} bytes)]"
        )
    finally:
        await v.disconnect()
