"""Email templates, each in plain text and HTML. Everything a person wrote is escaped in the
HTML part (a visitor's name or message is never markup)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None


def _paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs: escaped, line breaks kept."""
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join(f"<p>{escape(b).replace(chr(10), '<br>')}</p>" for b in blocks)


def _page(body: str) -> str:
    return (
        '<!doctype html><html><body style="font-family:system-ui,sans-serif;'
        f'line-height:1.5;color:#1f2933">{body}</body></html>'
    )


def _subject(text: str) -> str:
    return " ".join(text.split())[:300]


def ticket_subject(number: int, subject: str) -> str:
    return _subject(f"[#{number}] {subject}")


def welcome(name: str, role: str, sign_in_url: str) -> Rendered:
    text = (
        f"Hello {name},\n\nAn account was created for you on Baton as {role}.\n"
        f"Sign in at {sign_in_url} with this email address.\n"
    )
    html = _page(
        f"<p>Hello {escape(name)},</p><p>An account was created for you on Baton as "
        f'{escape(role)}.</p><p>Sign in at <a href="{escape(sign_in_url, quote=True)}">'
        f"{escape(sign_in_url)}</a> with this email address.</p>"
    )
    return Rendered("Your Baton account", text, html)


def ticket_confirmation(number: int, subject: str, name: str, message: str) -> Rendered:
    text = (
        f"Hello {name},\n\nThanks for writing to us. We have your request (ticket #{number}) "
        "and will answer by email; reply to this message to add anything.\n\n"
        f"Your message:\n\n{message}\n"
    )
    html = _page(
        f"<p>Hello {escape(name)},</p><p>Thanks for writing to us. We have your request "
        f"(ticket #{number}) and will answer by email; reply to this message to add "
        f"anything.</p><p><strong>Your message:</strong></p><blockquote>{_paragraphs(message)}"
        "</blockquote>"
    )
    return Rendered(ticket_subject(number, subject), text, html)


def agent_reply(number: int, subject: str, agent_name: str, reply: str) -> Rendered:
    text = f"{reply}\n\n-- \n{agent_name}\nReply to this email to answer (ticket #{number}).\n"
    html = _page(
        f'{_paragraphs(reply)}<p style="color:#616e7c">-- <br>{escape(agent_name)}<br>'
        f"Reply to this email to answer (ticket #{number}).</p>"
    )
    return Rendered(_subject(f"Re: {ticket_subject(number, subject)}"), text, html)


def ticket_resolved(number: int, subject: str, name: str) -> Rendered:
    text = (
        f"Hello {name},\n\nWe have marked ticket #{number} as resolved. If anything is still "
        "open, reply to this email and the ticket reopens.\n"
    )
    html = _page(
        f"<p>Hello {escape(name)},</p><p>We have marked ticket #{number} as resolved. If "
        "anything is still open, reply to this email and the ticket reopens.</p>"
    )
    return Rendered(_subject(f"Resolved: {ticket_subject(number, subject)}"), text, html)


@dataclass(frozen=True)
class Line:
    who: str
    at: str
    text: str


def transcript(lines: Sequence[Line], name: str | None) -> Rendered:
    hello = f"Hello {name},\n\n" if name else ""
    body = "\n\n".join(f"{ln.who} ({ln.at}):\n{ln.text}" for ln in lines)
    text = f"{hello}Here is the transcript of your conversation with us.\n\n{body}\n"
    rows = "".join(
        f'<p><strong>{escape(ln.who)}</strong> <span style="color:#616e7c">'
        f"{escape(ln.at)}</span></p>{_paragraphs(ln.text)}"
        for ln in lines
    )
    html = _page(
        (f"<p>Hello {escape(name)},</p>" if name else "")
        + f"<p>Here is the transcript of your conversation with us.</p>{rows}"
    )
    return Rendered("Your conversation transcript", text, html)
