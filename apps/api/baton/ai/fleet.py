"""The fleet: providers in priority order with timeouts, retries, a breaker and failover.

For each reply the fleet tries its members in order:

- a member whose breaker is open is skipped (that counts as a failover);
- each attempt has a *first-token deadline* and an overall timeout; a stall before the
  first token fails over at once (no retry: the visitor has already waited);
- retryable failures (5xx, 429, timeouts, connection errors) are retried with exponential
  backoff up to ``max_retries``; the rest (a wrong key, a bad request) fail over at once;
- every failure counts towards the member's breaker: ``failure_threshold`` consecutive
  failures open it for ``cooldown_seconds``; after that one request may try it again
  (half-open) and a success closes it;
- a turn whose prompt carries images skips members without vision, except the last link
  (the built-in responder), which says it cannot see images and offers a person;
- failover happens only before the first token reaches the visitor. A failure after it ends
  the message honestly (the reply is marked *interrupted*) and offers a person.

The built-in knowledge-base responder is the last link of every fleet, so with no key at all
(or every provider down) the visitor still gets an answer or an honest "I don't know".
Health is written to the provider rows (shared by every api process); providers that come
from environment keys keep theirs in the process.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import importlib
import logging
import random
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update

from baton.ai.control import (
    CANNOT_ANSWER,
    HANDOFF,
    MARKERS_GUIDE,
    SUGGEST,
    TOOLS_GUIDE,
    MarkerFilter,
    clean_suggestions,
)
from baton.ai.models import AIProvider
from baton.ai.prompt import masked
from baton.ai.providers import build_provider
from baton.ai.providers.base import (
    Answer,
    ChatMessage,
    ChatRequest,
    Provider,
    ProviderError,
    TextDelta,
    ToolCall,
    ToolRound,
    Usage,
)
from baton.ai.providers.builtin import BuiltinProvider
from baton.db.base import utcnow
from baton.kit.uow import UnitOfWork

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 0.2  # first retry waits ~0.2 s, then 0.4 s, 0.8 s... (capped at 4 s)
BACKOFF_CAP = 4.0
# a success that changes nothing on the provider row (no failures to reset) is written at
# most this often: every reply writing it made concurrent replies queue on the row's lock
SUCCESS_WRITE_SECONDS = 30.0

# Defaults for providers that come from BATON_*_API_KEY (configure others over REST).
ENV_PROVIDERS = (
    ("openai", "openai_api_key", "OpenAI (environment)", "gpt-4o-mini"),
    ("anthropic", "anthropic_api_key", "Anthropic (environment)", "claude-haiku-4-5"),
    ("gemini", "gemini_api_key", "Gemini (environment)", "gemini-2.5-flash"),
)


@dataclass
class Health:
    consecutive_failures: int = 0
    open_until: datetime | None = None
    last_error: str | None = None
    last_failure_at: datetime | None = None
    last_success_at: datetime | None = None

    def settled(self, now: datetime) -> bool:
        """Healthy, with a success recorded lately: another success would change nothing
        but ``last_success_at``, by less than ``SUCCESS_WRITE_SECONDS``."""
        return (
            self.consecutive_failures == 0
            and self.open_until is None
            and self.last_success_at is not None
            and (now - self.last_success_at).total_seconds() < SUCCESS_WRITE_SECONDS
        )

    def state(self, threshold: int, now: datetime | None = None) -> str:
        now = now or utcnow()
        if self.open_until is not None and self.open_until > now:
            return "open"
        if self.consecutive_failures >= threshold:
            return "half_open"
        return "closed"

    def as_dict(self, threshold: int) -> dict[str, Any]:
        return {
            "state": self.state(threshold),
            "consecutive_failures": self.consecutive_failures,
            "open_until": self.open_until,
            "last_error": self.last_error,
            "last_failure_at": self.last_failure_at,
            "last_success_at": self.last_success_at,
        }


@dataclass
class Member:
    key: str
    source: str  # db | env | builtin
    kind: str
    name: str
    model: str
    provider: Provider | None
    provider_id: uuid.UUID | None = None
    use_tools: bool = True
    vision: bool = False  # accepts images (``AIProvider.vision``)
    timeout: float = 60.0
    first_token: float = 10.0
    max_retries: int = 1
    threshold: int = 3
    cooldown: float = 30.0
    health: Health = field(default_factory=Health)
    unusable: str | None = None  # why it cannot be used at all (e.g. key_unreadable)
    # how to build the SDK client (done by ``prepare``, outside any transaction)
    build: Callable[[], Provider] | None = None
    fingerprint: str = ""

    def is_open(self, now: datetime) -> bool:
        return self.health.open_until is not None and self.health.open_until > now

    def fail(self, error: ProviderError) -> None:
        now = utcnow()
        h = self.health
        h.consecutive_failures += 1
        h.last_error, h.last_failure_at = error.summary(), now
        if h.consecutive_failures >= self.threshold:
            h.open_until = now + timedelta(seconds=self.cooldown)

    def succeed(self) -> None:
        h = self.health
        h.consecutive_failures, h.open_until, h.last_success_at = 0, None, utcnow()

    def label(self) -> dict[str, Any]:
        return {
            "provider_id": str(self.provider_id) if self.provider_id else None,
            "kind": self.kind,
            "name": self.name,
            "model": self.model,
        }


@dataclass
class Outcome:
    member: Member
    error: ProviderError | None  # None: success
    # a success that only moves ``last_success_at`` by less than SUCCESS_WRITE_SECONDS
    # need not be written (``record_health``); an admin's check always is
    written: bool = True


@dataclass
class FleetResult:
    member: Member | None = None
    text: str = ""
    suggestions: list[str] = field(default_factory=list)
    handoff_reason: str | None = None
    no_answer: bool = False
    confidence: float | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage | None = None
    first_token_ms: int | None = None
    total_ms: int = 0
    failovers: int = 0
    attempts: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False
    failed: bool = False
    tool_rounds: list[ToolRound] = field(default_factory=list)

    @property
    def streamed(self) -> bool:
        return self.first_token_ms is not None


@dataclass
class _Try:
    error: ProviderError | None = None
    parts: list[str] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)
    usage: Usage | None = None
    answer: Answer | None = None
    first_at: float | None = None
    rounds: list[ToolRound] = field(default_factory=list)


Emit = Callable[[str], Awaitable[None]]


def backoff(attempt: int) -> float:
    delay = min(BACKOFF_CAP, BACKOFF_SECONDS * float(2 ** (attempt - 1)))
    return float(delay * random.uniform(0.8, 1.2))


class ToolRunner(Protocol):
    """Runs the workspace's tools during a reply (``baton.tools.service.ReplyTools``)."""

    def runnable(self, name: str) -> bool: ...

    async def run(self, call: ToolCall) -> dict[str, Any]: ...


MAX_TOOL_ROUNDS = 3  # tool exchanges per reply before the model must answer
TOOL_ALLOWANCE = 60.0  # seconds a round of tools may take on top (the longest HTTP timeout)


async def _attempt(
    member: Member, request: ChatRequest, emit: Emit, tools: ToolRunner | None = None
) -> _Try:
    assert member.provider is not None
    loop = asyncio.get_running_loop()
    begin = loop.time()
    out = _Try()
    markers = MarkerFilter()

    async def show(text: str, cm: asyncio.Timeout) -> None:
        if not text:
            return
        if out.first_at is None:
            out.first_at = loop.time()
            cm.reschedule(begin + member.timeout)  # the first token is in: the overall limit
        out.parts.append(text)
        await emit(text)

    guide = TOOLS_GUIDE if member.use_tools else MARKERS_GUIDE
    request = dataclasses.replace(
        request, use_tools=member.use_tools, system=f"{request.system}\n\n{guide}"
    )
    if not member.use_tools:
        tools = None  # markers carry the internal signals only
    rounds: list[ToolRound] = []
    try:
        async with asyncio.timeout_at(begin + min(member.first_token, member.timeout)) as cm:
            while True:
                said: list[str] = []
                calls: list[ToolCall] = []
                outgoing = dataclasses.replace(request, rounds=tuple(rounds))
                if member.kind != "builtin":  # the built-in responder never leaves the process
                    outgoing = masked(outgoing)
                stream = member.provider.stream(outgoing)
                try:
                    async for event in stream:
                        if isinstance(event, TextDelta):
                            visible = markers.feed(event.text)
                            said.append(visible)
                            await show(visible, cm)
                        elif isinstance(event, ToolCall):
                            calls.append(event)
                        elif isinstance(event, Usage):
                            out.usage = event
                        elif isinstance(event, Answer):
                            out.answer = event
                finally:
                    await stream.aclose()  # type: ignore[attr-defined]
                runnable = [c for c in calls if tools is not None and tools.runnable(c.name)]
                out.calls.extend(c for c in calls if c not in runnable)
                if not runnable or tools is None or len(rounds) >= MAX_TOOL_ROUNDS:
                    break
                # the tools' own time (an HTTP tool has its timeout) is not the model's
                cm.reschedule(loop.time() + member.timeout + TOOL_ALLOWANCE)
                results = [await tools.run(c) for c in runnable]
                rounds.append(ToolRound("".join(said), tuple(runnable), tuple(results)))
                # then the model's deadlines start again for its next turn
                wait = member.first_token if out.first_at is None else member.timeout
                cm.reschedule(loop.time() + min(wait, member.timeout))
            await show(markers.flush(), cm)
    except TimeoutError:
        out.error = ProviderError("first_token_timeout" if out.first_at is None else "timeout")
    except ProviderError as exc:
        out.error = exc
    except Exception as exc:  # a provider bug must not silence the visitor
        log.warning("provider raised %s", type(exc).__name__, extra={"provider": member.name})
        out.error = ProviderError("error", retryable=True)
    out.calls.extend(markers.calls)
    out.rounds = rounds
    if out.error is None and not out.parts and not any(c.name == HANDOFF for c in out.calls):
        out.error = ProviderError("empty_answer")
    return out


def _finish(result: FleetResult, member: Member, t: _Try, request: ChatRequest) -> None:
    result.member = member
    result.text = "".join(t.parts).strip()
    result.usage = t.usage
    result.tool_rounds = t.rounds
    for call in t.calls:
        if call.name == HANDOFF:
            reason = call.args.get("reason")
            result.handoff_reason = str(reason)[:200] if reason else "requested by the assistant"
        elif call.name == SUGGEST:
            result.suggestions = clean_suggestions(call.args.get("suggestions"))
        elif call.name == CANNOT_ANSWER:
            result.no_answer = True
    if t.answer is not None:  # the built-in responder judges itself
        result.no_answer = not t.answer.answered
        result.confidence = t.answer.confidence
        result.sources = t.answer.sources
        result.suggestions = clean_suggestions(t.answer.suggestions)
    else:
        top = request.passages[0].confidence if request.passages else 0.0
        result.confidence = 0.0 if result.no_answer else round(top, 4)
        lowered = result.text.lower()
        result.sources = [
            {
                "article_id": str(h.passage.article_id),
                "title": h.passage.title,
                "cited": h.passage.title.lower() in lowered,
            }
            for h in request.passages
        ]


async def run(
    members: list[Member], request: ChatRequest, emit: Emit, tools: ToolRunner | None = None
) -> FleetResult:
    """Answer ``request`` with the first member that can; ``emit`` gets each visible delta.
    With ``tools``, the workspace's tools the model calls run (or are proposed) in between
    and their results go back to the model, which continues its answer."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    result = FleetResult()

    def note(member: Member, error: str, retry: int) -> None:
        result.attempts.append({**member.label(), "error": error, "retry": retry})

    for position, member in enumerate(members):
        if position:
            result.failovers += 1
        if member.unusable is not None or member.provider is None:
            note(member, member.unusable or "not_prepared", 0)
            continue
        if member.is_open(utcnow()):
            note(member, "circuit_open", 0)
            continue
        last = position == len(members) - 1  # the built-in responder: it always answers
        if request.has_images and not member.vision and not last:
            note(member, "no_vision", 0)
            continue
        for retry in range(member.max_retries + 1):
            if retry:
                await asyncio.sleep(backoff(retry))
            t = await _attempt(member, request, emit, tools)
            if t.first_at is not None and result.first_token_ms is None:
                result.first_token_ms = int((t.first_at - started) * 1000)
            if t.error is None:
                # settled: nothing to change, here or on the row (whose time this keeps)
                unchanged = member.health.settled(utcnow())
                if not unchanged:
                    member.succeed()
                result.outcomes.append(Outcome(member, None, written=not unchanged))
                _finish(result, member, t, request)
                result.total_ms = int((loop.time() - started) * 1000)
                return result
            member.fail(t.error)
            result.outcomes.append(Outcome(member, t.error))
            note(member, t.error.summary(), retry)
            log.warning(
                "ai provider failed",
                extra={
                    "provider": member.name,
                    "provider_kind": member.kind,
                    "error": t.error.summary(),
                    "retry": retry,
                    "after_first_token": t.first_at is not None,
                },
            )
            if t.first_at is not None:  # the visitor already has part of this answer
                _finish(result, member, t, request)
                result.interrupted = True
                result.total_ms = int((loop.time() - started) * 1000)
                return result
            if not t.error.retryable or member.is_open(utcnow()):
                break
    result.failed = True
    result.total_ms = int((loop.time() - started) * 1000)
    return result


# -- building the fleet --------------------------------------------------------------------


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class FleetState:
    """What this process keeps for the fleet (``runtime.slot(FleetState)``): SDK clients by
    member, and the health of providers configured by environment variables."""

    def __init__(self) -> None:
        self.clients: dict[str, tuple[str, Provider]] = {}
        self.env_health: dict[str, Health] = {}


def _cached_provider(
    state: FleetState, key: str, fingerprint: str, build: Callable[[], Provider]
) -> Provider:
    cache = state.clients
    found = cache.get(key)
    if found is not None and found[0] == fingerprint:
        return found[1]
    provider = build()
    cache[key] = (fingerprint, provider)
    return provider


SDK_MODULES = {
    "openai": "baton.ai.providers.openai_chat",
    "anthropic": "baton.ai.providers.anthropic_messages",
    "gemini": "baton.ai.providers.gemini",
}


async def prepare(members: list[Member], state: FleetState) -> None:
    """Build (or reuse) each member's SDK client, with no transaction open. The first use of
    an SDK imports it, which takes seconds: that happens in a thread, off the event loop."""
    for member in members:
        if member.provider is None and member.build is not None and member.unusable is None:
            module = SDK_MODULES.get(member.kind)
            if module is not None and module not in sys.modules:
                await asyncio.to_thread(importlib.import_module, module)
            member.provider = _cached_provider(state, member.key, member.fingerprint, member.build)


def key_context(provider_id: uuid.UUID) -> str:
    """Associated data that binds a sealed key to its provider row."""
    return f"ai_provider:{provider_id}"


def health_of(row: AIProvider) -> Health:
    return Health(
        consecutive_failures=row.consecutive_failures,
        open_until=row.open_until,
        last_error=row.last_error,
        last_failure_at=row.last_failure_at,
        last_success_at=row.last_success_at,
    )


def builtin_member(name: str = "Knowledge base", model: str = "bm25") -> Member:
    return Member(
        key="builtin",
        source="builtin",
        kind="builtin",
        name=name,
        model=model,
        provider=BuiltinProvider(name=name, model=model),
        max_retries=0,
        threshold=1_000_000,  # never taken out: it is the last resort
    )


def member_of(row: AIProvider, envelope: Any) -> Member:
    """The fleet member for a provider row (its key unsealed, its client not built yet)."""
    member = Member(
        key=str(row.id),
        source="db",
        kind=row.kind,
        name=row.name,
        model=row.model,
        provider=None,
        provider_id=row.id,
        use_tools=row.use_tools,
        vision=row.vision and row.kind != "builtin",
        timeout=row.timeout_seconds,
        first_token=row.first_token_seconds,
        max_retries=row.max_retries,
        threshold=row.failure_threshold,
        cooldown=row.cooldown_seconds,
        health=health_of(row),
    )
    if row.kind == "builtin":
        member.provider = BuiltinProvider(name=row.name, model=row.model)
        member.threshold = 1_000_000
        return member
    try:
        api_key = (
            envelope.decrypt(row.api_key_sealed, context=key_context(row.id))
            if row.api_key_sealed
            else None
        )
    except Exception:  # sealed under another master key, or tampered with
        member.unusable = "key_unreadable"
        return member
    member.fingerprint = _fingerprint(
        row.kind, row.model, row.base_url, row.api_key_sealed, row.timeout_seconds
    )
    member.build = lambda: build_provider(
        row.kind,
        name=row.name,
        model=row.model,
        api_key=api_key,
        base_url=row.base_url,
        timeout=row.timeout_seconds,
    )
    return member


async def load_members(uow: UnitOfWork) -> list[Member]:
    """The fleet for one reply: enabled providers by priority, then the built-in responder."""
    runtime = uow.runtime
    rows = (
        await uow.session.scalars(
            select(AIProvider).order_by(AIProvider.priority, AIProvider.created_at, AIProvider.id)
        )
    ).all()
    members = [member_of(row, runtime.envelope) for row in rows if row.enabled]
    if not rows:
        members.extend(env_members(runtime.settings, runtime.slot(FleetState)))
    if not members or members[-1].kind != "builtin":
        members.append(builtin_member())
    return members


SAMPLE_QUESTION = "Hi! Can you tell me briefly how you can help me?"


async def _discard(_: str) -> None:
    return None


async def check(
    member: Member, *, sample_prompt: str | None = None, emit: Emit = _discard
) -> tuple[_Try, int | None, int]:
    """A real request to one member (an admin's test); updates its breaker. Without
    ``sample_prompt`` a tiny connectivity check; with it, a sample answer to a visitor's
    question under that system prompt, each piece passed to ``emit`` as it arrives."""
    if sample_prompt is None:
        request = ChatRequest(
            system="This is a connectivity check from Baton. Reply with the single word OK.",
            messages=[ChatMessage("user", "ping")],
            question="ping",
            max_tokens=16,
        )
    else:
        request = ChatRequest(
            system=sample_prompt,
            messages=[ChatMessage("user", SAMPLE_QUESTION)],
            question=SAMPLE_QUESTION,
            max_tokens=300,
        )
    loop = asyncio.get_running_loop()
    started = loop.time()
    if member.provider is None:
        return _Try(error=ProviderError(member.unusable or "not_prepared")), None, 0
    t = await _attempt(member, request, emit)
    if t.error is None:
        member.succeed()
    else:
        member.fail(t.error)
    first = int((t.first_at - started) * 1000) if t.first_at is not None else None
    return t, first, int((loop.time() - started) * 1000)


def env_members(settings: Any, state: FleetState) -> list[Member]:
    """Providers from BATON_OPENAI_API_KEY / _ANTHROPIC_ / _GEMINI_, used while no provider is
    configured over REST. Their health lives in this process."""
    healths = state.env_health
    out: list[Member] = []
    for kind, attr, name, model in ENV_PROVIDERS:
        api_key = getattr(settings, attr, None)
        if not api_key:
            continue
        key = f"env:{kind}"
        out.append(
            Member(
                key=key,
                source="env",
                kind=kind,
                name=name,
                model=model,
                provider=None,
                vision=True,  # the kinds' default models take images
                build=lambda kind=kind, name=name, model=model, api_key=api_key: build_provider(  # type: ignore[misc]
                    kind, name=name, model=model, api_key=api_key, base_url=None, timeout=60.0
                ),
                fingerprint=_fingerprint(kind, model, hashlib.sha256(api_key.encode()).hexdigest()),
                health=healths.setdefault(key, Health()),
            )
        )
    return out


async def record_health(uow: UnitOfWork, outcomes: list[Outcome]) -> None:
    """Write each attempt's result to the provider rows: atomic, so concurrent replies (in
    any process) count every failure. A success that changes nothing but a recent
    ``last_success_at`` is not written (``Outcome.written``): the row then says when the
    provider last answered to within ``SUCCESS_WRITE_SECONDS``."""
    for outcome in outcomes:
        member = outcome.member
        if member.source != "db" or member.provider_id is None or member.kind == "builtin":
            continue
        now = utcnow()
        if outcome.error is None:
            if not outcome.written:
                continue
            await uow.session.execute(
                update(AIProvider)
                .where(AIProvider.id == member.provider_id)
                .values(consecutive_failures=0, open_until=None, last_success_at=now)
                .execution_options(synchronize_session=False)
            )
            continue
        await uow.session.execute(
            update(AIProvider)
            .where(AIProvider.id == member.provider_id)
            .values(
                consecutive_failures=AIProvider.consecutive_failures + 1,
                last_error=outcome.error.summary()[:120],
                last_failure_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        row = await uow.session.execute(
            select(AIProvider.consecutive_failures, AIProvider.failure_threshold).where(
                AIProvider.id == member.provider_id
            )
        )
        found = row.first()
        if found is not None and found[0] >= found[1]:
            await uow.session.execute(
                update(AIProvider)
                .where(AIProvider.id == member.provider_id)
                .values(open_until=now + timedelta(seconds=member.cooldown))
                .execution_options(synchronize_session=False)
            )


async def warm_up(runtime: Any) -> None:
    """At start-up: import the SDKs the configured providers use and build their clients, so
    the first visitor does not pay for it (an SDK import takes about half a second)."""
    from baton.kit.uow import unit_of_work

    try:
        async with unit_of_work(runtime) as uow:
            members = await load_members(uow)
        await prepare(members, runtime.slot(FleetState))
    except Exception:  # a cold start is slower, not broken
        log.warning("AI fleet warm-up failed", exc_info=True)
