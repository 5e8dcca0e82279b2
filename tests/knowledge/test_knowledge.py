"""Knowledge base: articles over REST, the demo set, retrieval and its cross-process cache."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from baton import catalog
from baton.knowledge.models import KnowledgeArticle
from baton.knowledge.search import Index, IndexCache, split_passages, stem, terms
from baton.knowledge.seed import DEMO_ARTICLES
from baton.knowledge.seed import seed as seed_knowledge
from baton.runtime import Runtime
from tests.ai.helpers import admin
from tests.factories import user_headers
from tests.support import LiveServer


def demo_index() -> Index:
    return Index.build([(uuid.uuid4(), t, body, tags) for t, tags, body in DEMO_ARTICLES])


def test_stemming_and_terms() -> None:
    assert {stem(w) for w in ("return", "returns", "returned", "returning")} == {"return"}
    assert {stem(w) for w in ("ship", "ships", "shipped", "shipping")} == {"ship"}
    assert stem("taxes") == stem("tax") and stem("updating") == stem("change")  # a synonym
    assert terms("How do I return an item?") == ["return", "item"]
    assert terms("Wie kann ich einen Artikel zurückgeben?") == ["item", "return"]
    assert terms("the and of") == []


def test_passages_split_long_articles_on_paragraphs() -> None:
    body = "\n\n".join(f"Paragraph {n} " + "word " * 60 for n in range(6))
    passages = split_passages(body, limit=700)
    assert len(passages) > 1 and all(len(p) <= 700 for p in passages)
    assert "\n\n".join(passages).replace("\n\n", " ").split() == body.replace("\n\n", " ").split()


def test_bm25_ranking_and_confidence_on_the_demo_set() -> None:
    index = demo_index()
    cases = {
        "How do I return an item?": "Returns and refunds",
        "I forgot my password": "Resetting your password",
        "where is my parcel, I need the tracking number": "Tracking your order",
        "how long does shipping take": "Shipping and delivery times",
        "I was charged twice": "Billing, payments and invoices",
        "cancel my order": "Changing or cancelling an order",
    }
    for question, title in cases.items():
        best = index.search(question)[0]
        assert best.passage.title == title, question
        assert best.confidence >= 0.5, question
    for question in ("What is the capital of France?", "Can I pay in bitcoin?", "hello"):
        hits = index.search(question)
        assert not hits or hits[0].confidence < 0.5, question


async def test_articles_crud_over_rest(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    headers = await admin(client, runtime)
    url = "/api/v1/knowledge/articles"
    made = await client.post(
        url,
        json={
            "title": "Gift cards",
            "body": "Gift cards never expire.",
            "tags": ["Gifts", "gifts"],
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    article = made.json()
    assert article["tags"] == ["gifts"]

    for bad in (
        {"title": "", "body": "x"},
        {"title": "x", "body": "   "},
        {"title": "x", "body": "y", "tags": [""]},
        {"title": "x" * 201, "body": "y"},
        {"title": "x", "body": "y", "extra": 1},
    ):
        response = await client.post(url, json=bad, headers=headers)
        assert response.status_code == 422, bad
        assert set(response.json()) == {"error", "detail"}
    bad_patch = await client.patch(f"{url}/{article['id']}", json={"title": ""}, headers=headers)
    assert bad_patch.status_code == 422
    assert (await client.get(f"{url}/{article['id']}", headers=headers)).json()[
        "title"
    ] == "Gift cards"

    patched = await client.patch(
        f"{url}/{article['id']}",
        json={"body": "Gift cards expire after five years."},
        headers=headers,
    )
    assert patched.json()["body"] == "Gift cards expire after five years."
    found = await client.get(
        "/api/v1/knowledge/search", params={"q": "do gift cards expire"}, headers=headers
    )
    assert found.json()["items"][0]["title"] == "Gift cards"
    assert "five years" in found.json()["items"][0]["text"]
    assert [
        a["id"]
        for a in (await client.get(url, params={"tag": "gifts"}, headers=headers)).json()["items"]
    ] == [article["id"]]
    assert (await client.get(url, params={"tag": "other"}, headers=headers)).json()["items"] == []

    _, agent_headers = await user_headers(client, runtime, role="agent")
    assert (await client.get(url, headers=agent_headers)).status_code == 403
    assert (
        await client.post(url, json={"title": "a", "body": "b"}, headers=agent_headers)
    ).status_code == 403

    assert (await client.delete(f"{url}/{article['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"{url}/{article['id']}", headers=headers)).status_code == 404
    gone = await client.get(
        "/api/v1/knowledge/search", params={"q": "gift cards expire"}, headers=headers
    )
    assert gone.json()["items"] == []


async def test_demo_seeder_is_registered_and_idempotent(runtime: Runtime) -> None:
    catalog.import_models()
    assert seed_knowledge in catalog.seeders()
    for _ in range(2):
        async with runtime.db.session() as session:
            for seeder in catalog.seeders():
                await seeder(session)
            await session.commit()
    async with runtime.db.session() as session:
        titles = (await session.scalars(select(KnowledgeArticle.title))).all()
        count = await session.scalar(select(func.count()).select_from(KnowledgeArticle))
    assert count == len(DEMO_ARTICLES) and sorted(titles) == sorted(t for t, _, _ in DEMO_ARTICLES)
    assert {"Returns and refunds", "Shipping and delivery times", "Resetting your password"} <= set(
        titles
    )


async def test_every_process_sees_an_edit_on_its_next_search(
    server: LiveServer, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Two caches stand for two api processes; the revision stamp keeps both correct."""
    headers = await admin(client, runtime)
    first, second = IndexCache(), IndexCache()
    url = "/api/v1/knowledge/articles"
    made = (
        await client.post(url, json={"title": "Pets", "body": "Dogs are welcome."}, headers=headers)
    ).json()
    async with runtime.db.session() as session:
        assert (await first.get(session)).search("dogs")[0].passage.title == "Pets"
        assert (await second.get(session)).search("dogs")[0].passage.title == "Pets"
        built = first.index
        assert await first.get(session) is built  # unchanged stamp: no rebuild

    await client.patch(
        f"{url}/{made['id']}", json={"body": "Cats are welcome too."}, headers=headers
    )
    async with runtime.db.session() as session:
        for cache in (first, second):
            index = await cache.get(session)
            assert index.search("dogs") == []
            assert index.search("cats")[0].passage.title == "Pets"
