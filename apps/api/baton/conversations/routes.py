"""REST for the inbox and integrators. API keys and agent tokens both work."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from litestar import Controller, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK

from baton.auth.edge import requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.conversations import lifecycle, policy, queries
from baton.conversations.inbound import open_api_conversation, receive_visitor_message
from baton.conversations.models import Conversation
from baton.conversations.replies import add_agent_message
from baton.conversations.schemas import (
    AssignIn,
    ConversationCounts,
    ConversationCreateIn,
    ConversationOut,
    ConversationPage,
    HandoffIn,
    MessageOut,
    MessagePage,
    ReplyIn,
    TransitionList,
    TransitionOut,
    VisitorMessageIn,
)
from baton.conversations.state import Actor
from baton.kit.errors import ValidationFailed
from baton.kit.http import errors
from baton.kit.pagination import check_limit
from baton.kit.uow import UnitOfWork


def action(name: str, permission: Permission) -> Any:
    """A state-changing POST on one conversation, answered with the conversation."""
    return post(
        f"/{{conversation_id:uuid}}/{name}",
        guards=[requires(permission)],
        status_code=HTTP_200_OK,
        responses=errors(403, 404, 409),
    )


async def _visible(
    uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID
) -> Conversation:
    conversation = await queries.get_conversation_with_people(uow, conversation_id)
    return policy.check_read(principal, conversation)


async def _apply(
    uow: UnitOfWork,
    principal: Principal,
    conversation_id: uuid.UUID,
    change: Callable[[Conversation], Awaitable[object]],
    *,
    act: bool = False,
) -> ConversationOut:
    conversation = await _visible(uow, principal, conversation_id)
    if act:
        policy.check_act(principal, conversation)
    await change(conversation)
    return await queries.view(uow, conversation)


class ConversationsController(Controller):
    path = "/api/v1/conversations"
    tags = ["conversations"]
    guards = [requires(Permission.CONVERSATIONS_READ)]

    @get("/", responses=errors(403))
    async def list_conversations(
        self,
        uow: UnitOfWork,
        principal: Principal,
        status: str | None = Parameter(
            default=None, description="bot, waiting, agent, resolved (comma-separated)"
        ),
        assignee: str | None = Parameter(default=None, description="me, none or a user id"),
        q: str | None = Parameter(
            default=None, max_length=200, description="visitor name, email or message text"
        ),
        updated_since: datetime | None = None,
        include_empty: bool = False,
        channel: str | None = Parameter(
            default=None,
            max_length=16,
            description="widget, api or email (default: every channel but email, the tickets')",
        ),
        visitor_id: uuid.UUID | None = Parameter(
            default=None, description="only this visitor's conversations"
        ),
        limit: int = Parameter(default=50, description="1-200"),
        cursor: str | None = None,
    ) -> ConversationPage:
        items, next_cursor = await queries.list_conversations(
            uow.session,
            principal=principal,
            status=status,
            assignee=assignee,
            q=q,
            updated_since=updated_since,
            include_empty=include_empty,
            channel=channel,
            visitor_id=visitor_id,
            limit=check_limit(limit),
            cursor=cursor,
        )
        return ConversationPage(items, next_cursor)

    @post(
        "/",
        guards=[requires(Permission.CONVERSATIONS_INGEST)],
        responses=errors(403, 409),
        summary="Open a conversation on the API channel",
    )
    async def create(self, uow: UnitOfWork, data: ConversationCreateIn) -> ConversationOut:
        """The visitor's messages then go through the same rules as the widget's (handoff on
        request, AI replies): post them to ``/{id}/visitor-messages``."""
        if (data.text is None) != (data.client_id is None):
            raise ValidationFailed("text and client_id go together", code="invalid_message")
        conversation = await open_api_conversation(
            uow,
            name=data.visitor.name if data.visitor else None,
            email=data.visitor.email if data.visitor else None,
        )
        if data.text is not None:
            await receive_visitor_message(
                uow, conversation, text=data.text, client_id=data.client_id, channel="api"
            )
        return await queries.view(uow, conversation)

    @post(
        "/{conversation_id:uuid}/visitor-messages",
        guards=[requires(Permission.CONVERSATIONS_INGEST)],
        responses=errors(403, 404, 409),
    )
    async def visitor_message(
        self,
        uow: UnitOfWork,
        principal: Principal,
        conversation_id: uuid.UUID,
        data: VisitorMessageIn,
    ) -> MessageOut:
        """A visitor's message from the integrator's channel: stored once per ``client_id``,
        then handed off or answered by the AI exactly as a widget message would be."""
        conversation = await _visible(uow, principal, conversation_id)
        message, _ = await receive_visitor_message(
            uow, conversation, text=data.text, client_id=data.client_id, channel="api"
        )
        return MessageOut.of(message)

    @get("/counts", responses=errors(403))
    async def counts(self, uow: UnitOfWork, principal: Principal) -> ConversationCounts:
        return ConversationCounts(**await queries.counts(uow.session, principal))

    @get("/{conversation_id:uuid}", responses=errors(403, 404))
    async def get_conversation(
        self, uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID
    ) -> ConversationOut:
        return await queries.view(uow, await _visible(uow, principal, conversation_id))

    @get("/{conversation_id:uuid}/messages", responses=errors(403, 404))
    async def messages(
        self,
        uow: UnitOfWork,
        principal: Principal,
        conversation_id: uuid.UUID,
        after: uuid.UUID | None = Parameter(
            default=None, description="only messages after this id"
        ),
        limit: int = Parameter(default=100, description="1-200"),
        cursor: str | None = None,
    ) -> MessagePage:
        conversation = await _visible(uow, principal, conversation_id)
        rows, next_cursor = await queries.messages_of(
            uow.session,
            conversation.id,
            include_internal=True,
            after=after,
            limit=check_limit(limit),
            cursor=cursor,
        )
        return MessagePage(queries.message_views(rows), next_cursor)

    @get("/{conversation_id:uuid}/events", responses=errors(403, 404))
    async def transitions(
        self, uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID
    ) -> TransitionList:
        """Every status change: from, to, who caused it, why and when."""
        conversation = await _visible(uow, principal, conversation_id)
        events = await queries.transitions_of(uow.session, conversation.id)
        return TransitionList(
            [
                TransitionOut(
                    e.id,
                    e.from_status,
                    e.to_status,
                    e.actor_kind,
                    e.actor_id,
                    e.actor_name,
                    e.assignee_id,
                    e.reason,
                    e.created_at,
                )
                for e in events
            ]
        )

    @post(
        "/{conversation_id:uuid}/messages",
        guards=[requires(Permission.CONVERSATIONS_REPLY)],
        responses=errors(403, 404, 409),
    )
    async def reply(
        self, uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID, data: ReplyIn
    ) -> MessageOut:
        conversation = await _visible(uow, principal, conversation_id)
        if not data.internal:
            policy.check_act(principal, conversation)
        message, _ = await add_agent_message(
            uow,
            conversation,
            Actor.of(principal),
            text=data.text,
            client_id=data.client_id,
            internal=data.internal,
            attachment_ids=data.attachment_ids,
        )
        return MessageOut.of(message)

    @action("handoff", Permission.CONVERSATIONS_HANDOFF)
    async def handoff(
        self,
        uow: UnitOfWork,
        principal: Principal,
        conversation_id: uuid.UUID,
        data: HandoffIn | None = None,
    ) -> ConversationOut:
        reason = data.reason if data and data.reason else "api"
        return await _apply(
            uow,
            principal,
            conversation_id,
            lambda c: lifecycle.request_handoff(uow, c, Actor.of(principal), reason=reason),
        )

    @action("assign", Permission.CONVERSATIONS_ASSIGN)
    async def assign(
        self, uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID, data: AssignIn
    ) -> ConversationOut:
        return await _apply(
            uow,
            principal,
            conversation_id,
            lambda c: lifecycle.assign(uow, c, Actor.of(principal), data.agent_id),
        )

    @action("take-over", Permission.CONVERSATIONS_REPLY)
    async def take_over(
        self, uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID
    ) -> ConversationOut:
        # no visibility check first: a conversation someone else just took is a 409
        # "already_assigned" (the caller saw it in the queue), and nothing of it is returned
        conversation = await queries.get_conversation(uow.session, conversation_id)
        await lifecycle.take_over(uow, conversation, Actor.of(principal))
        return await queries.view(uow, conversation)

    @action("release", Permission.CONVERSATIONS_REPLY)
    async def release(
        self, uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID
    ) -> ConversationOut:
        may_release_others = principal.has(Permission.CONVERSATIONS_ASSIGN)
        return await _apply(
            uow,
            principal,
            conversation_id,
            lambda c: lifecycle.release(
                uow, c, Actor.of(principal), may_release_others=may_release_others
            ),
        )

    @action("resolve", Permission.CONVERSATIONS_RESOLVE)
    async def resolve(
        self, uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID
    ) -> ConversationOut:
        return await _apply(
            uow,
            principal,
            conversation_id,
            lambda c: lifecycle.resolve(uow, c, Actor.of(principal)),
            act=True,
        )
