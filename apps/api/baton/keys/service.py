"""Loading the keyring at start-up, re-wrapping under a new master key, sealing old rows.

Start-up (``load_keyring``): every process unwraps the data keys once; a data key wrapped by
a master key that is neither ``BATON_MASTER_KEY`` nor in ``BATON_PREVIOUS_MASTER_KEYS``
stops it with ``KeyringError`` (a clear message, never garbage text). The first process on
an empty database creates the keys (a unique index on the active key of each purpose: two
starting at once agree on one).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text, delete, insert, select, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from baton.db.base import utcnow
from baton.db.engine import Database
from baton.keys.models import DataKey, MessageToken, VisitorToken
from baton.keys.search_index import UNINDEXED_SENDERS
from baton.kit.crypto import SEALED_PREFIX, KeyringError, _b64, _unb64, fingerprint, keyring
from baton.settings import Settings

PURPOSES = ("data", "search")

Say = Callable[[str], None]


def _aad(key_id: str, purpose: str) -> bytes:
    return f"baton data key {key_id} {purpose}".encode()


def wrap(master_key: bytes, key_id: str, purpose: str, key: bytes) -> str:
    nonce = os.urandom(12)
    return _b64(nonce + AESGCM(master_key).encrypt(nonce, key, _aad(key_id, purpose)))


def _masters(settings: Settings) -> dict[str, bytes]:
    """Master keys by fingerprint, the current one first."""
    masters = {fingerprint(settings.master_key): settings.master_key}
    for key in settings.previous_master_keys:
        masters.setdefault(fingerprint(key), key)
    return masters


def unwrap(row: DataKey, masters: dict[str, bytes]) -> bytes:
    master = masters.get(row.master_fingerprint)
    if master is None:
        raise KeyringError(
            f"data key {row.id} is wrapped by the master key with fingerprint "
            f"{row.master_fingerprint}, but BATON_MASTER_KEY has fingerprint "
            f"{next(iter(masters))} and no key in BATON_PREVIOUS_MASTER_KEYS matches: start "
            "with the master key this database was encrypted with (or list it in "
            "BATON_PREVIOUS_MASTER_KEYS and run `baton keys rotate`)"
        )
    raw = _unb64(row.wrapped)
    try:
        return AESGCM(master).decrypt(raw[:12], raw[12:], _aad(row.id, row.purpose))
    except InvalidTag as exc:
        raise KeyringError(
            f"data key {row.id} does not open under the master key {row.master_fingerprint} "
            "(the data_keys row is damaged or was edited)"
        ) from exc


async def _create_missing(session: AsyncSession, settings: Settings, rows: list[DataKey]) -> None:
    have = {r.purpose for r in rows if r.active}
    new = [
        {
            # random ids: a sealed value names its key, and no two databases share one
            "id": (key_id := f"{purpose[0]}{secrets.token_hex(4)}"),
            "purpose": purpose,
            "wrapped": wrap(settings.master_key, key_id, purpose, AESGCM.generate_key(256)),
            "master_fingerprint": fingerprint(settings.master_key),
            "active": True,
            "created_at": utcnow(),
        }
        for purpose in PURPOSES
        if purpose not in have
    ]
    if not new:
        return
    dialect = session.get_bind().dialect.name
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(DataKey).values(new)
    await session.execute(stmt.on_conflict_do_nothing())  # another process was first
    await session.commit()


async def load_keyring(db: Database, settings: Settings) -> None:
    """Unwrap the workspace's data keys into this process (creating them on a new database)."""
    async with db.session() as session:
        rows = list(await session.scalars(select(DataKey)))
        if not {"data", "search"} <= {r.purpose for r in rows if r.active}:
            await _create_missing(session, settings, rows)
            rows = list(await session.scalars(select(DataKey)))
    masters = _masters(settings)
    keys = {row.id: unwrap(row, masters) for row in rows}
    active = next(r.id for r in rows if r.purpose == "data" and r.active)
    search = next(r.id for r in rows if r.purpose == "search" and r.active)
    keyring.install({k: v for k, v in keys.items()}, active, keys[search])


# -- rotation ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SealedColumn:
    """A column of ``Envelope`` tokens and the associated data each row's token carries."""

    model: Any
    column: str
    context: Callable[[Any], str]


def sealed_columns() -> list[SealedColumn]:
    from baton.ai.fleet import key_context
    from baton.ai.models import AIProvider
    from baton.tools.http import secret_context as tool_context
    from baton.tools.models import ToolIntegration
    from baton.visitors.identity import CONTEXT as IDENTITY_CONTEXT
    from baton.visitors.models import IdentitySecret
    from baton.webhooks.delivery import secret_context as webhook_context
    from baton.webhooks.models import Webhook

    return [
        SealedColumn(AIProvider, "api_key_sealed", lambda row: key_context(row.id)),
        SealedColumn(ToolIntegration, "secret_sealed", lambda row: tool_context(row.id)),
        SealedColumn(Webhook, "secret_sealed", lambda row: webhook_context(row.id)),
        SealedColumn(IdentitySecret, "sealed", lambda row: IDENTITY_CONTEXT),
    ]


async def rotate_keys(db: Database, settings: Settings, say: Say, batch: int = 200) -> int:
    """Re-wrap every data key and every sealed secret under ``BATON_MASTER_KEY``. Each step
    commits on its own and skips what is already current, so running it again after an
    interruption finishes the job; the servers keep running (their keys are in memory)."""
    from baton.kit.crypto import Envelope

    masters = _masters(settings)
    current = fingerprint(settings.master_key)
    async with db.session() as session:
        rows = list(await session.scalars(select(DataKey).order_by(DataKey.id)))
        stale = [r for r in rows if r.master_fingerprint != current]
        say(f"data keys: {len(rows) - len(stale)} of {len(rows)} already under {current}")
        for i, row in enumerate(stale, start=1):
            key = unwrap(row, masters)
            old = row.master_fingerprint
            await session.execute(
                update(DataKey)
                .where(DataKey.id == row.id, DataKey.master_fingerprint == old)
                .values(
                    wrapped=wrap(settings.master_key, row.id, row.purpose, key),
                    master_fingerprint=current,
                    rewrapped_at=utcnow(),
                )
            )
            await session.commit()
            say(f"data keys: {row.id} re-wrapped ({old} -> {current}) [{i}/{len(stale)}]")
    envelope = Envelope(settings.master_key, settings.previous_master_keys)
    for sealed in sealed_columns():
        table = sealed.model.__table__
        name = f"{table.name}.{sealed.column}"
        done = kept = 0
        last: Any = None
        async with db.session() as session:
            while True:
                stmt = select(sealed.model).order_by(sealed.model.id).limit(batch)
                if last is not None:
                    stmt = stmt.where(sealed.model.id > last)
                page = list(await session.scalars(stmt))
                if not page:
                    break
                for row in page:
                    token = getattr(row, sealed.column)
                    new = envelope.rewrap(token, context=sealed.context(row)) if token else None
                    if new is None:
                        kept += 1
                        continue
                    await session.execute(
                        update(table)
                        .where(table.c.id == row.id, table.c[sealed.column] == token)
                        .values({sealed.column: new})
                    )
                    done += 1
                await session.commit()
                last = page[-1].id
                say(f"{name}: {done} re-wrapped, {kept} already current")
        if done == 0:
            say(f"{name}: {kept} already current")
    say("rotation done: the previous master keys can be removed from BATON_PREVIOUS_MASTER_KEYS")
    return 0


# -- sealing rows written before encryption ------------------------------------------------
@dataclass(frozen=True)
class EncryptedTable:
    model: Any
    columns: tuple[str, ...]
    tokens: Any = None  # the token model, when the rows are searchable
    token_owner: str = ""
    token_fields: tuple[str, ...] = ()


def encrypted_tables() -> list[EncryptedTable]:
    from baton.ai.models import AIReplyLog
    from baton.conversations.models import Conversation, Message
    from baton.csat.models import CsatResponse
    from baton.mail.models import OutboxEmail
    from baton.notifications.models import Notification
    from baton.visitors.models import Visitor
    from baton.webhooks.models import WebhookDelivery

    return [
        EncryptedTable(Message, ("text",), MessageToken, "message_id", ("text",)),
        EncryptedTable(
            Visitor,
            ("name", "email", "page_url", "page_title", "referrer"),
            VisitorToken,
            "visitor_id",
            ("name", "email"),
        ),
        EncryptedTable(Conversation, ("last_message_text", "follow_up_email")),
        EncryptedTable(AIReplyLog, ("question", "answer", "correction")),
        EncryptedTable(Notification, ("text",)),
        EncryptedTable(CsatResponse, ("comment",)),
        EncryptedTable(OutboxEmail, ("body_text", "body_html")),
        EncryptedTable(WebhookDelivery, ("payload",)),
    ]


async def encrypt_existing(db: Database, say: Say, batch: int = 500) -> int:
    """Seal every value still in plain text (and index it for search), a batch per
    transaction: interrupted, it starts again where it stopped (sealed rows are skipped)."""
    total_sealed = 0
    for spec in encrypted_tables():
        table = spec.model.__table__
        raw = [type_coerce(table.c[c], Text()).label(c) for c in spec.columns]
        if "sender" in table.c:  # messages: Baton's own notices are not indexed
            raw.append(table.c.sender)
        sealed = scanned = 0
        last: Any = None
        async with db.session() as session:
            while True:
                stmt = select(table.c.id, *raw).order_by(table.c.id).limit(batch)
                if last is not None:
                    stmt = stmt.where(table.c.id > last)
                page = (await session.execute(stmt)).mappings().all()
                if not page:
                    break
                plain = [
                    r
                    for r in page
                    if any(
                        r[c] is not None and not r[c].startswith(SEALED_PREFIX)
                        for c in spec.columns
                    )
                ]
                # a row can be half sealed (the application wrote one column since): open
                # what is sealed, so each value is sealed once, and index the plain text
                opened = [
                    {"id": r["id"], "sender": r.get("sender")}
                    | {c: _open(r[c], table.c[c].type) for c in spec.columns}
                    for r in plain
                ]
                for values in opened:
                    await session.execute(
                        update(table)
                        .where(table.c.id == values["id"])
                        .values({c: values[c] for c in spec.columns})
                    )
                if opened and spec.tokens is not None:
                    owner = getattr(spec.tokens, spec.token_owner)
                    ids = [v["id"] for v in opened]
                    await session.execute(delete(spec.tokens).where(owner.in_(ids)))
                    rows = [
                        {"token": t, spec.token_owner: v["id"]}
                        for v in opened
                        if v.get("sender") not in UNINDEXED_SENDERS
                        for t in keyring.terms([v[f] for f in spec.token_fields])
                    ]
                    if rows:
                        await session.execute(insert(spec.tokens), rows)
                await session.commit()
                sealed += len(plain)
                scanned += len(page)
                last = page[-1]["id"]
                if plain:
                    say(f"{table.name}: {sealed} sealed of {scanned} scanned")
        say(f"{table.name}: done, {sealed} sealed ({scanned} rows)")
        total_sealed += sealed
    return total_sealed


def _open(value: str | None, column_type: Any) -> Any:
    """The column's plain value, whether ``value`` is sealed already or not."""
    return column_type.process_result_value(value, None)
