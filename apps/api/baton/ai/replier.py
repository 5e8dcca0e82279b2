"""The AI's reply to one visitor message (``ai.listeners`` schedules it after the commit).

1. A short unit of work loads the conversation, checks the AI may answer, and reads what the
   reply needs (settings, history, knowledge-base passages, the fleet). An auto-reply rule
   that matches answers right there, in the same transaction.
2. The fleet streams the answer with no transaction open: each delta goes straight to the
   visitor's room and to agents watching the conversation (``bot_stream``), all under one
   pre-generated message id.
3. A second unit of work re-checks the conversation (an agent may have taken over: then
   nothing is stored), stores the message (``bot_message`` follows), writes the accuracy
   log, and applies the handoff rules through the conversation state machine:
   - the model asked for a person (tool call or marker)        -> handoff "ai_requested"
   - every provider failed (the visitor gets an apology)       -> handoff "ai_unavailable"
   A no-answer never queues anyone: the visitor gets the honest answer and a person is
   offered ("Talk to a person"); the visitor decides. A frustrated visitor or a repeated
   question gets the offer too, and someone already waiting is never offered a person
   again (``ai.person_offer``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from typing import Any

from baton.ai import autoreply, fleet, person_offer, vision
from baton.ai.models import AIReplyLog, AutoReplyRule
from baton.ai.policy import ai_handoff, ai_may_answer, ai_may_answer_in, record_ai_outcome
from baton.ai.prompt import (
    build_request,
    question_files,
    question_images,
    thread,
    typed_text,
)
from baton.ai.providers.builtin import TALK_TO_PERSON
from baton.ai.setup_cache import SetupCache
from baton.ai.stream import DeltaCoalescer
from baton.canned.rules import rule_answer
from baton.conversations import recipients
from baton.conversations.messages import add_bot_message
from baton.conversations.models import Conversation, Message
from baton.db.errors import unavailable_reason
from baton.kit.ids import uuid7
from baton.kit.uow import UnitOfWork, unit_of_work
from baton.knowledge.search import IndexCache, search
from baton.runtime import Runtime
from baton.tools.registry import Registry
from baton.tools.service import ReplyTools, registry_of
from baton.workspace.service import get_config

log = logging.getLogger(__name__)

PASSAGES = 3
APOLOGY = (
    "I'm sorry — I can't answer right now because of a technical problem. "
    "I've asked a person from the team to help you."
)
INTERRUPTED = "\n\n(Sorry — my answer was cut off. Would you like to talk to a person?)"
STILL_OURS_EVERY = 0.5  # seconds between checks that the AI still owns the conversation
HANDOFF_TEXT = "Let me connect you with a person who can help."


async def _emit_all(runtime: Runtime, emissions: list[recipients.Emission]) -> None:
    for e in emissions:
        try:
            await runtime.publisher.emit(e.event, e.payload, rooms=e.rooms, namespace=e.namespace)
        except Exception:  # events are hints; the stored message is the truth
            log.warning("bot stream emit failed", extra={"event": e.event})


async def _still_answerable(runtime: Runtime, conversation_id: uuid.UUID) -> bool:
    async with unit_of_work(runtime) as uow:
        conversation = await uow.session.get(Conversation, conversation_id)
        return conversation is not None and await ai_may_answer(uow, conversation)


def _with_person(suggestions: list[str]) -> list[str]:
    rest = [s for s in suggestions if s != TALK_TO_PERSON]
    return [TALK_TO_PERSON, *rest][:3]


async def _log(uow: UnitOfWork, **values: Any) -> AIReplyLog:
    row = AIReplyLog(**values)
    uow.session.add(row)
    await uow.session.flush()
    return row


async def reply(runtime: Runtime, conversation_id: uuid.UUID, message_id: uuid.UUID) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()

    # 1. read what the reply needs, in a short transaction: the conversation's status with
    #    the history (one statement), the knowledge stamp; rules and fleet from this
    #    process's copy (``ai.setup_cache``)
    setup = runtime.slot(SetupCache)
    async with unit_of_work(runtime) as uow:
        config = await get_config(uow.session)
        found = await thread(uow.session, conversation_id, message_id, config.context_messages)
        if found is None:
            return
        question = found.question
        if question.sender != "visitor" or not await ai_may_answer_in(uow, found.status):
            return
        asked = typed_text(question)  # a message of files only asks nothing in words
        rule = autoreply.first_match(await setup.rules(uow), asked) if asked.strip() else None
        if rule is not None:
            await _rule_reply(uow, rule, question, loop.time() - started)
            return
        passages = (
            await search(uow.session, runtime.slot(IndexCache), asked, PASSAGES)
            if asked.strip()
            else []
        )
        past = found.past
        turns = past.turns
        situation = person_offer.situation(
            asked, turns, status=found.status, phrases=config.handoff_phrases
        )
        direct = person_offer.direct_reply(
            situation, answerable=bool(passages) and passages[0].answers
        )
        if direct is not None:
            await _direct(uow, question, direct, situation, loop.time() - started)
            return
        members = await setup.members(uow)
        # workspace tools only for members that can call them (not the built-in responder)
        registry = (
            await registry_of(uow)
            if any(m.kind != "builtin" and m.use_tools for m in members)
            else Registry()
        )
        question_text = question.text
        images_asked, files_asked = question_images(question), question_files(question)
    # the visitor's images, read from storage and bounded with no transaction open
    turns = await vision.attach_images(runtime, turns, past.images)
    request = build_request(
        config,
        turns,
        asked,
        passages,
        waiting=situation.waiting,
        question_images=images_asked,
        question_files=files_asked,
        region=runtime.settings.pii_phone_region,
    )
    request = dataclasses.replace(request, tools=registry.specs())
    tools = ReplyTools(runtime, conversation_id, registry)
    offer = person_offer.offers_person(situation)
    await fleet.prepare(members, runtime.slot(fleet.FleetState))

    # 2. stream, with no transaction open
    bot_message_id = uuid7()
    await _emit_all(runtime, [recipients.bot_typing_emission(conversation_id, True)])

    # a person may take over while we stream: check now and then, and stop showing the answer
    cancelled = False
    checked_at = loop.time()

    async def cancel() -> None:
        nonlocal cancelled
        if not cancelled:
            cancelled = True
            await _emit_all(
                runtime, recipients.bot_stream_cancel_emissions(conversation_id, bot_message_id)
            )

    async def send(frame: str) -> None:
        if not cancelled:
            await _emit_all(
                runtime, recipients.bot_stream_emissions(conversation_id, bot_message_id, frame)
            )

    frames = DeltaCoalescer(send)

    async def emit(delta: str) -> None:
        nonlocal checked_at
        if cancelled:
            return
        if loop.time() - checked_at >= STILL_OURS_EVERY:
            checked_at = loop.time()
            try:
                answerable = await _still_answerable(runtime, conversation_id)
            except Exception as exc:
                if unavailable_reason(exc) is None:
                    raise
                # the database cannot tell now (restarting): not the provider's fault, so
                # stream on; storing re-checks, and if it fails the sweep answers again
                answerable = True
            if not answerable:
                frames.discard()
                await cancel()
                return
        await frames.add(delta)

    try:
        result = await fleet.run(members, request, emit, tools)
        if result.interrupted:
            await emit(INTERRUPTED)
    finally:
        await frames.close()

    # 3. store the answer, the log and the decisions
    try:
        async with unit_of_work(runtime) as uow:
            await fleet.record_health(uow, result.outcomes)
            current = await uow.session.get(Conversation, conversation_id, populate_existing=True)
            if current is None or not await ai_may_answer(uow, current):
                await cancel()
                return  # an agent took over (or the visitor left) while we streamed
            await _store(
                uow, current, result, question_text, message_id, bot_message_id, offer=offer
            )
    except Exception:
        await cancel()  # nothing was stored (the database went away): withdraw the stream
        raise
    finally:
        await _emit_all(runtime, [recipients.bot_typing_emission(conversation_id, False)])


async def _without_model(
    uow: UnitOfWork,
    conversation: Conversation,
    question: Message,
    text: str,
    suggestions: list[str],
    meta: dict[str, Any],
    elapsed: float,
    **log_values: Any,
) -> None:
    """Store an answer decided with no model, and its accuracy-log entry."""
    log_id = uuid7()
    message = await add_bot_message(
        uow,
        conversation,
        text=text,
        suggestions=suggestions,
        meta={**meta, "ai_log_id": str(log_id)},
    )
    await _log(
        uow,
        id=log_id,
        conversation_id=conversation.id,
        message_id=message.id,
        question_message_id=question.id,
        question=question.text[:500],
        answer=text,
        first_token_ms=None,
        total_ms=int(elapsed * 1000),
        **log_values,
    )


async def _rule_reply(
    uow: UnitOfWork, rule: AutoReplyRule, question: Message, elapsed: float
) -> None:
    """An admin's auto-reply rule matched: its answer, with no model."""
    conversation = await uow.session.get(Conversation, question.conversation_id)
    if conversation is None:
        return
    answer = await rule_answer(uow, rule, conversation)
    await _without_model(
        uow,
        conversation,
        question,
        answer,
        list(rule.suggestions),  # the rule is this process's shared copy
        {"source": "auto_reply", "rule_id": str(rule.id)},
        elapsed,
        response_type="auto_reply",
        outcome="answered",
        provider_kind="auto_reply",
        provider_name=rule.name[:80],
        confidence=1.0,
        sources=[{"rule_id": str(rule.id), "name": rule.name}],
    )
    await record_ai_outcome(uow, conversation, answered=True)


async def _store(
    uow: UnitOfWork,
    conversation: Conversation,
    result: fleet.FleetResult,
    question: str,
    question_id: uuid.UUID,
    bot_message_id: uuid.UUID,
    *,
    offer: bool = False,
) -> None:
    member = result.member
    waiting = conversation.status == "waiting"
    handoff: str | None = None
    suggestions = result.suggestions
    if result.failed:
        text, response_type, outcome = APOLOGY, "fallback", "failed"
        suggestions, handoff = [], "ai_unavailable"
    else:
        assert member is not None
        response_type = "knowledge_base" if member.kind == "builtin" else "llm"
        text = result.text
        if result.interrupted:
            text = f"{text}{INTERRUPTED}".strip()
            outcome = "interrupted"
            suggestions = suggestions if waiting else _with_person(suggestions)
        elif result.handoff_reason is not None:
            text = text or HANDOFF_TEXT
            outcome, handoff = "handoff", "ai_requested"
        elif result.no_answer:
            outcome = "no_answer"
            suggestions = suggestions if waiting else _with_person(suggestions)
        else:
            outcome = "answered"
            suggestions = _with_person(suggestions) if offer else suggestions
    if waiting:  # already queued: never a second offer of a person
        suggestions = [s for s in suggestions if s != TALK_TO_PERSON]
    log_id = uuid7()
    # the outcome travels with the message so no inbox label says "answered" under a miss
    meta: dict[str, Any] = {"source": response_type, "ai_log_id": str(log_id), "outcome": outcome}
    if member is not None and not result.failed:
        meta.update(provider=member.name, model=member.model, kind=member.kind)
    if result.sources:
        meta["sources"] = [
            {"article_id": s["article_id"], "title": s["title"]}
            for s in result.sources
            if s.get("cited", True)
        ]
    message = await add_bot_message(
        uow,
        conversation,
        text=text,
        suggestions=suggestions,
        meta=meta,
        message_id=bot_message_id,
    )
    if outcome in ("answered", "no_answer", "interrupted"):
        await record_ai_outcome(uow, conversation, answered=outcome == "answered")
    await _log(
        uow,
        id=log_id,
        conversation_id=conversation.id,
        message_id=message.id,
        question_message_id=question_id,
        question=question[:500],
        answer=text,
        response_type=response_type,
        outcome=outcome,
        provider_id=member.provider_id if member and not result.failed else None,
        provider_kind=member.kind if member and not result.failed else None,
        provider_name=member.name if member and not result.failed else None,
        model=member.model if member and not result.failed else None,
        confidence=result.confidence,
        first_token_ms=result.first_token_ms,
        total_ms=result.total_ms,
        prompt_tokens=result.usage.prompt_tokens if result.usage else None,
        completion_tokens=result.usage.completion_tokens if result.usage else None,
        failovers=result.failovers,
        attempts=result.attempts,
        sources=result.sources,
        handoff_reason=(
            f"{handoff}: {result.handoff_reason}"[:200] if handoff == "ai_requested" else handoff
        ),
    )
    if handoff is not None:
        await ai_handoff(uow, conversation, reason=handoff)


async def _direct(
    uow: UnitOfWork,
    question: Message,
    text: str,
    situation: person_offer.Situation,
    elapsed: float,
) -> None:
    """A reply decided without a model: the offer of a person, or "you're in the queue"."""
    conversation = await uow.session.get(Conversation, question.conversation_id)
    if conversation is None:
        return
    reason = "waiting" if situation.waiting else "repeated" if situation.repeated else "frustrated"
    await _without_model(
        uow,
        conversation,
        question,
        text,
        [] if situation.waiting else [TALK_TO_PERSON],
        {"source": "fallback", "outcome": "no_answer", "person_offer": reason},
        elapsed,
        response_type="fallback",
        outcome="no_answer",
        provider_kind="builtin",
        provider_name=f"person offer ({reason})"[:80],
        confidence=0.0,
        sources=[],
    )
    if not situation.waiting:
        await record_ai_outcome(uow, conversation, answered=False)
