"""Session fixtures for the mail and tickets suites: one fake Resend, and settings that
point the server (and the worker, through the environment) at it with short retries."""

from __future__ import annotations

import base64
import dataclasses
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from baton.db.migrate import upgrade
from baton.settings import Settings
from tests.mail.fake_resend import API_KEY, FakeResend
from tests.support import make_settings

WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"resend-webhook-secret-for-tests!").decode()
INBOUND_TOKEN = "inbound-token-for-tests-0123"
_shared: FakeResend | None = None

MAIL_ENV = {
    "RESEND_API_KEY": API_KEY,
    "MAIL_RETRY_BASE_SECONDS": "0.05",
    "MAIL_RETRY_MAX_SECONDS": "0.3",
    "MAIL_LEASE_SECONDS": "1",
    "MAIL_SEND_TIMEOUT_SECONDS": "5",
    "MAIL_MAX_ATTEMPTS": "200",
    "RESEND_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "INBOUND_EMAIL_TOKEN": INBOUND_TOKEN,
    "TICKETS_PER_IP": "100000",
    "TICKETS_PER_EMAIL": "100000",
    "EMAIL_FROM": "Acme Support <support@acme.test>",
}


@pytest.fixture(scope="session")
async def resend_fake() -> AsyncIterator[FakeResend]:
    global _shared
    if _shared is None:
        _shared = await FakeResend().start()
    yield _shared


@pytest.fixture(scope="session")
async def settings(
    data_dir: Path, database_url: str, redis_url: str | None, resend_fake: FakeResend
) -> Settings:
    env = {**MAIL_ENV, "RESEND_BASE_URL": resend_fake.url}
    for key, value in env.items():
        os.environ[f"BATON_{key}"] = value  # the worker subprocess reads the same
    base = make_settings(data_dir, database_url, redis_url)
    settings = dataclasses.replace(
        base,
        resend_api_key=API_KEY,
        resend_base_url=resend_fake.url,
        mail_retry_base_seconds=0.05,
        mail_retry_max_seconds=0.3,
        mail_lease_seconds=1.0,
        mail_send_timeout_seconds=5.0,
        mail_max_attempts=200,
        resend_webhook_secret=WEBHOOK_SECRET,
        inbound_email_token=INBOUND_TOKEN,
        tickets_per_ip=100_000,
        tickets_per_email=100_000,
        email_from=MAIL_ENV["EMAIL_FROM"],
    )
    import asyncio

    await asyncio.to_thread(upgrade, settings.database_url)
    return settings


@pytest.fixture(autouse=True)
def _fresh_fake(resend_fake: FakeResend) -> None:
    resend_fake.reset()
