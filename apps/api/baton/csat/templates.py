"""The emailed survey: five links, one per rating, each opening the survey page."""

from __future__ import annotations

from html import escape

from baton.mail.templates import Rendered, ticket_subject

LABELS = {1: "Very poor", 2: "Poor", 3: "Okay", 4: "Good", 5: "Excellent"}


def survey_text(question: str, links: dict[int, str]) -> str:
    lines = "\n".join(f"  {n} ({LABELS[n]}): {links[n]}" for n in sorted(links))
    return f"{question}\n\n{lines}\n\nPick one; you can add a comment on the page.\n"


def survey_html(question: str, links: dict[int, str]) -> str:
    buttons = " ".join(
        f'<a href="{escape(links[n], quote=True)}" style="display:inline-block;padding:8px 12px;'
        f"margin:2px;border:1px solid #cbd2d9;border-radius:6px;color:#1f2933;"
        f'text-decoration:none">{n} · {LABELS[n]}</a>'
        for n in sorted(links)
    )
    return f'<p style="margin-top:1.5em"><strong>{escape(question)}</strong></p><p>{buttons}</p>'


def with_survey(email: Rendered, question: str, links: dict[int, str]) -> Rendered:
    """The ticket's resolution email with the survey at its end (one email, not two)."""
    text = f"{email.text.rstrip()}\n\n{survey_text(question, links)}"
    html = email.html
    if html is not None:
        block = survey_html(question, links)
        html = html.replace("</body>", f"{block}</body>") if "</body>" in html else html + block
    return Rendered(email.subject, text, html)


def survey(number: int, subject: str, name: str, question: str, links: dict[int, str]) -> Rendered:
    """A survey on its own, when the resolution email is not in this unit of work."""
    text = f"Hello {name},\n\nTicket #{number} is resolved. {survey_text(question, links)}"
    html = (
        '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;'
        f'color:#1f2933"><p>Hello {escape(name)},</p><p>Ticket #{number} is resolved.</p>'
        f"{survey_html(question, links)}</body></html>"
    )
    return Rendered(f"How did we do? {ticket_subject(number, subject)}"[:300], text, html)


def page(title: str, body: str) -> str:
    """The small public survey page (no script; a plain form)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>body{{font-family:system-ui,sans-serif;"
        "max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1f2933;line-height:1.5}"
        "fieldset{border:0;padding:0;display:flex;gap:.5rem;flex-wrap:wrap}"
        "label{border:1px solid #cbd2d9;border-radius:6px;padding:.5rem .75rem;cursor:pointer}"
        "textarea{width:100%;min-height:5rem;box-sizing:border-box}"
        "button{margin-top:1rem;padding:.5rem 1rem}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def form(question: str, action: str, selected: int | None) -> str:
    options = "".join(
        f'<label><input type="radio" name="rating" value="{n}" required'
        f"{' checked' if n == selected else ''}> {n} · {LABELS[n]}</label>"
        for n in range(1, 6)
    )
    return page(
        "How did we do?",
        f'<form method="post" action="{escape(action, quote=True)}">'
        f"<p>{escape(question)}</p><fieldset>{options}</fieldset>"
        '<p><label for="comment" style="border:0;padding:0">Anything to add? (optional)</label>'
        '<textarea id="comment" name="comment" maxlength="1000"></textarea></p>'
        '<button type="submit">Send</button></form>',
    )
