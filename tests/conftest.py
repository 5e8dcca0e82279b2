from __future__ import annotations

import asyncio
import logging
import ssl
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from baton.ai import setup_cache
from baton.analytics.reply_time import TypicalReplyCache
from baton.db.migrate import upgrade
from baton.jobs.queues import InProcessQueue
from baton.realtime.contract import ContractViolation
from baton.settings import Settings
from baton.workspace.service import clear_config_cache
from tests.mail.fake_resend import FakeResend
from tests.support import (
    REDIS_URL,
    LiveServer,
    Subprocess,
    create_postgres_database,
    drop_postgres_database,
    mail_settings,
    make_settings,
    settings_env,
    start_live_server,
    truncate_all,
    uses_postgres,
)


def pytest_configure(config: pytest.Config) -> None:
    cheap_password_hashing()


def cheap_password_hashing() -> None:
    """Argon2id at its lowest cost in this process. Production's cost (argon2-cffi's
    defaults) is ~0.12 s of CPU per hash and per check, and the suite creates and signs in
    well over a thousand users: minutes of a two-core run spent on key stretching that no
    test is about. Still argon2id, with the cost written into each hash, so a server in a
    subprocess (real cost) verifies these hashes as it would any other."""
    from argon2 import PasswordHasher

    from baton.auth import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("baton-dummy-password")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("baton-data")


@pytest.fixture(scope="session")
async def database_url(data_dir: Path) -> AsyncIterator[str]:
    if uses_postgres():
        name = f"baton_test_{uuid.uuid4().hex[:8]}"
        yield await create_postgres_database(name)
        await drop_postgres_database(name)
    else:
        yield f"sqlite+aiosqlite:///{data_dir / 'test.db'}"


@pytest.fixture(scope="session")
async def redis_url() -> AsyncIterator[str | None]:
    # Every test session (and xdist worker) keys its Redis data under its own namespace
    # (make_settings), so nothing here touches another run's keys.
    yield REDIS_URL if uses_postgres() else None


@pytest.fixture(scope="session")
async def resend_fake() -> AsyncIterator[FakeResend]:
    """Every server in the suite sends its email here (tests/mail/fake_resend.py)."""
    fake = await FakeResend().start()
    yield fake
    await fake.stop()


@pytest.fixture(scope="session")
async def settings(
    data_dir: Path, database_url: str, redis_url: str | None, resend_fake: FakeResend
) -> Settings:
    settings = make_settings(data_dir, database_url, redis_url, **mail_settings(resend_fake.url))
    await asyncio.to_thread(upgrade, settings.database_url)
    return settings


@pytest.fixture(scope="session")
async def worker(settings: Settings, data_dir: Path) -> AsyncIterator[Subprocess | None]:
    """With Redis, jobs run in a real ``baton worker``; embedded, in the api process."""
    if settings.redis_url is None:
        yield None
        return
    proc = Subprocess(["worker"], settings_env(settings), data_dir / "worker.log")
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
async def server(settings: Settings, worker: Subprocess | None) -> AsyncIterator[LiveServer]:
    live = await start_live_server(settings)
    yield live
    await live.stop()


@pytest.fixture(autouse=True)
async def _clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "server" in request.fixturenames:
        live: LiveServer = request.getfixturevalue("server")
        if isinstance(live.runtime.jobs, InProcessQueue):
            await live.runtime.jobs.drain(timeout=20)
        await truncate_all(live.runtime)
        clear_config_cache()
        setup_cache.changed()  # the rules and providers are gone too
        live.runtime.slots.get(TypicalReplyCache).read_at = float("-inf")  # facts are gone
        # every test comes from 127.0.0.1: fixed per-address limits (the offline form, the
        # survey links) would fill up across the tests of one worker and answer 429
        await live.runtime.limiter.clear()


# The live server speaks plain HTTP on 127.0.0.1, but every httpx client builds a TLS context
# and loads the CA bundle into it (~25 ms of CPU, 6 % of the embedded run's): one for all.
_TLS = ssl.create_default_context()


@pytest.fixture
async def client(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=20, verify=_TLS) as c:
        yield c


@pytest.fixture
def runtime(server: LiveServer):  # type: ignore[no-untyped-def]
    return server.runtime


LIVE_FIXTURES = frozenset({"server", "worker", "client", "runtime"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the fast tier: tests that start no live server (scripts/test runs them first)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if not names & LIVE_FIXTURES and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.fast)


# the fast tier's fixtures (service_runtime, tx) for every test package
pytest_plugins = ["tests.service_tier"]


@pytest.fixture(autouse=True)
def _real_time() -> Iterator[None]:
    """A test that moved the clock forward (``clock.advance``) leaves it as it found it."""
    from baton.kit.clock import clock

    yield
    clock.reset()


class _ContractViolations(logging.Handler):
    """Collects logged ``ContractViolation``s: a payload that does not fit the realtime
    contract is logged by the emitter (events are hints), so a test would otherwise only
    see a missing event."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and isinstance(record.exc_info[1], ContractViolation):
            self.found.append(str(record.exc_info[1]))


@pytest.fixture(autouse=True)
def _realtime_contract_holds() -> Iterator[None]:
    """Every emission and ack of every test fits its declared struct (baton.realtime.contract)."""
    handler = _ContractViolations()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    assert not handler.found, f"realtime contract violated: {handler.found}"
