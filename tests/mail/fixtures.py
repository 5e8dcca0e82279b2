"""Shared by the mail and tickets suites (the fake Resend itself is a session fixture in
tests/conftest.py, so every server of the suite sends to it)."""

from __future__ import annotations

import base64

import pytest

from tests.mail.fake_resend import FakeResend

WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"resend-webhook-secret-for-tests!").decode()
INBOUND_TOKEN = "inbound-token-for-tests-0123"


@pytest.fixture(autouse=True)
def _fresh_fake(resend_fake: FakeResend) -> None:
    resend_fake.reset()
