"""A labelled set for PII redaction (kit/redact.py): each hit with the text it must become,
and near-misses that must come out unchanged (order numbers, prices, dates, ids...).

Card numbers are the networks' published test numbers; phone numbers are from the ranges
reserved for fiction and documentation (555-01xx, Ofcom's drama numbers) where one exists."""

from __future__ import annotations

HITS: list[tuple[str, str]] = [
    # emails
    ("write to jane.doe@example.com please", "write to [email] please"),
    ("Email: J.O'Neil+orders@mail.example.co.uk.", "Email: J.O'[email]."),
    ("contact <ops@sub.example.org>", "contact <[email]>"),
    ("pedro@exämple.com?", "[email]?"),
    # phone numbers, international
    ("my number is +44 20 7946 0958", "my number is [phone]"),
    ("call +1 415-555-0132 tomorrow", "call [phone] tomorrow"),
    ("+33 6 12 34 56 78 is my mobile", "[phone] is my mobile"),
    ("WhatsApp: +49 30 901820", "WhatsApp: [phone]"),
    ("(+44) 20 7946 0958", "[phone]"),
    # phone numbers, the default region (US) with separators
    ("ring me on (415) 555-0132", "ring me on [phone]"),
    ("415.555.0132 after 5pm", "[phone] after 5pm"),
    ("it's 212-555-0199, thanks", "it's [phone], thanks"),
    # a bare run of digits after a phone word
    ("call me 4155550132", "call me [phone]"),
    ("Phone: 2125550199", "Phone: [phone]"),
    # card numbers (Luhn-valid, known issuer)
    ("card 4111 1111 1111 1111 exp 12/28", "card [card] exp 12/28"),
    ("4242424242424242", "[card]"),
    ("mastercard 5555-5555-5555-4444", "mastercard [card]"),
    ("amex 3782 822463 10005.", "amex [card]."),
    ("2223003122003222 is the new one", "[card] is the new one"),
    # IBANs (checksum valid)
    ("IBAN DE89 3704 0044 0532 0130 00 thanks", "IBAN [iban] thanks"),
    ("pay to GB82WEST12345698765432.", "pay to [iban]."),
    ("fr1420041010050500013m02606", "[iban]"),
    # US social security numbers
    ("SSN 123-45-6789", "SSN [ssn]"),
    # several in one text
    (
        "I'm ann@example.com, +44 20 7946 0958, card 4111111111111111",
        "I'm [email], [phone], card [card]",
    ),
]

NEAR_MISSES: list[str] = [
    # order numbers and references
    "order 1234567890 shipped",
    "order #12345678",
    "my order number is 2025550123",
    "invoice INV-2026-000123",
    "ticket #20261202 and #4521",
    "tracking 1Z999AA10123456784",
    "ref 555-0100",
    "SKU 4006381333931",
    "order 4111111111111112",  # not Luhn-valid
    "reference 1234 5678 9012 3456",  # no issuer, not Luhn-valid
    # prices and quantities
    "price $1,299.00",
    "it was 19.99 EUR, then 1 299,00 €",
    "total: 1234567.89",
    "qty 3 x 12.50 = 37.50",
    # dates and times
    "on 2026-12-24 at 10:30",
    "24/12/2026 or 12.24.2026",
    "2026-12-02T10:14:24.123456+00:00",
    "Wed Dec  2 10:09:36 UTC 2026",
    "from 09:00 to 17:30",
    # ids, versions, addresses the logs are full of
    "conversation 01a2363b-f3d7-7302-af3c-5ad3b4837f6e",
    "request 6f1c2d3e4b5a69788796a5b4c3d2e1f0",
    "GET /api/v1/conversations/01a2363b-f8de-7a10-9c1b-e504560e87ac/messages 200 12.5 ms",
    "listening on 127.0.0.1:50395",
    "client 192.168.100.200 port 8000",
    "baton 0.1.0, phonenumbers 9.0.43",
    "pid 123456 took 1733135664 ns",
    "unix time 1733135664",
    "user@localhost",
    "npm i react@19.2.0",
    "@mention in a note",
    "DE89 is a prefix, not an IBAN",
    "GB00WEST12345698765432",  # bad checksum
    "000-12-3456",  # not a valid SSN
    "model gpt-4o-mini and claude-haiku-4-5",
]
