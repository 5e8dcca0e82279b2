"""CSAT over REST: an agent reads a conversation's rating; the emailed survey's public page."""

from __future__ import annotations

import uuid
from html import escape
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import Parameter

from baton.auth.edge import PUBLIC, requires
from baton.auth.permissions import Permission
from baton.auth.principal import Principal
from baton.conversations import policy, queries
from baton.csat import service, templates
from baton.csat.schemas import ConversationCsatOut, CsatOut
from baton.kit.errors import DomainError, RateLimited
from baton.kit.http import errors, page_errors
from baton.kit.uow import UnitOfWork
from baton.workspace.service import get_config

SURVEYS_PER_HOUR = 30  # per address: a survey link is cheap to try
_PAGE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
}


class ConversationCsatController(Controller):
    path = "/api/v1/conversations"
    tags = ["csat"]

    @get(
        "/{conversation_id:uuid}/csat",
        guards=[requires(Permission.CONVERSATIONS_READ)],
        responses=errors(403, 404),
    )
    async def conversation_rating(
        self, uow: UnitOfWork, principal: Principal, conversation_id: uuid.UUID
    ) -> ConversationCsatOut:
        """The visitor's rating of this conversation, or ``rating: null``."""
        conversation = await queries.get_conversation(uow.session, conversation_id)
        policy.check_read(principal, conversation)
        row = await service.rating_of(uow, conversation.id)
        return ConversationCsatOut(CsatOut.of(row) if row is not None else None)


def _html(body: str, status: int = 200) -> Response[str]:
    return Response(body, status_code=status, media_type=MediaType.HTML, headers=_PAGE_HEADERS)


def _problem(exc: DomainError) -> Response[str]:
    messages = {
        "already_rated": "This conversation has been rated already. Thank you!",
        "invalid_link": "This survey link is not valid.",
        "unknown_link": "There is no survey at this address.",
        "link_expired": "This survey link has expired.",
    }
    text = messages.get(exc.code, exc.detail if isinstance(exc.detail, str) else "Not recorded.")
    return _html(templates.page("How did we do?", f"<p>{escape(str(text))}</p>"), exc.status_code)


async def _limit(request: Request[Any, Any, Any], uow: UnitOfWork) -> None:
    address = request.client.host if request.client else "unknown"
    allowed, retry = await uow.runtime.limiter.hit(f"csat:survey:{address}", SURVEYS_PER_HOUR, 3600)
    if not allowed:
        raise RateLimited(f"too many attempts; try again in {retry} s", retry_after=retry)


class SurveyController(Controller):
    """The page an emailed survey link opens. Opening it records nothing (mail scanners
    follow links); the visitor's Send does, once."""

    path = "/api/v1/csat/survey"
    tags = ["csat"]

    @get(
        "/{token:str}",
        opt=PUBLIC,
        responses=page_errors(403, 404, 410, 429),
        media_type="text/html",
    )
    async def survey_page(
        self,
        request: Request[Any, Any, Any],
        uow: UnitOfWork,
        token: str,
        rating: Annotated[int | None, Parameter(ge=1, le=5)] = None,
    ) -> Response[str]:
        """The survey form, with the rating from the email's link selected."""
        try:
            await _limit(request, uow)
            conversation = await service.conversation_for_link(uow, token)
        except DomainError as exc:
            return _problem(exc)
        done = await service.rating_of(uow, conversation.id)
        if done is not None:
            return _html(
                templates.page("Thank you!", f"<p>You rated this {done.rating} out of 5.</p>")
            )
        config = await get_config(uow.session)
        return _html(templates.form(config.csat_question, str(request.url.path), rating))

    @post(
        "/{token:str}",
        opt=PUBLIC,
        status_code=200,
        responses=page_errors(403, 404, 409, 410, 422, 429),
        media_type="text/html",
    )
    async def submit_survey(
        self, request: Request[Any, Any, Any], uow: UnitOfWork, token: str
    ) -> Response[str]:
        """Record the rating (form fields or JSON ``rating``, ``comment``): once; a second
        answer is 409 ``already_rated``, a rating outside 1-5 is 422 ``invalid_rating``."""
        try:
            await _limit(request, uow)
            conversation = await service.conversation_for_link(uow, token)
            fields: Any
            if request.content_type[0] == "application/json":
                fields = await request.json()
                if not isinstance(fields, dict):
                    fields = {}
            else:
                fields = dict(await request.form())
            raw = fields.get("rating")
            rating = int(raw) if isinstance(raw, str) and raw.strip().isdigit() else raw
            await service.submit(
                uow, conversation, rating=rating, comment=fields.get("comment"), channel="email"
            )
        except DomainError as exc:
            return _problem(exc)
        return _html(templates.page("Thank you!", "<p>Your answer has been recorded.</p>"))
