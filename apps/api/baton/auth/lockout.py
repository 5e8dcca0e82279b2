"""Login throttling that an attacker cannot aim at someone else.

Three counters, all shared through Redis when there is one:

- attempts per source address (``login_limit_per_ip`` per ``login_window_seconds``): a fixed
  window over every attempt, which stops one address spraying many accounts;
- failures per account *and* source: after ``login_limit_per_account`` failures that source is
  locked out of that account for ``login_window_seconds``, doubling with each further failure
  (capped at ``MAX_LOCK_SECONDS``). A success from the source clears it;
- failures per account from every source: past ``login_failures_alarm`` the account is under
  attack, and each source gets one failure (then backoff) instead of the usual allowance.

The account itself is never locked: a source with no failures on it (the real user's usual
address) can always sign in with the right password. A locked source is refused *before* its
password is checked, so a lockout does not turn into an oracle.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from typing import Any

from baton.kit.errors import RateLimited
from baton.kit.ratelimit import FailureLog, MemoryFailureLog, RateLimiter, RedisFailureLog
from baton.settings import Settings

MAX_LOCK_SECONDS = 3600
FAILURE_TTL_SECONDS = 24 * 3600

# one log per runtime (a Runtime is a dataclass, hence unhashable: keyed by id, checked by ref)
_logs: dict[int, tuple[weakref.ref[Any], FailureLog]] = {}


def failure_log(runtime: Any) -> FailureLog:
    """The failure counters of this process: in Redis when there is one, else in memory."""
    found = _logs.get(id(runtime))
    if found is not None and found[0]() is runtime:
        return found[1]
    log: FailureLog = (
        RedisFailureLog(runtime.redis, runtime.settings.redis_namespace)
        if runtime.redis is not None
        else MemoryFailureLog()
    )
    _logs[id(runtime)] = (weakref.ref(runtime), log)
    return log


@dataclass(frozen=True)
class LoginGuard:
    settings: Settings
    limiter: RateLimiter
    failures: FailureLog
    email: str
    source: str

    @property
    def _pair(self) -> str:
        return f"login:{self.email}:{self.source}"

    @property
    def _account(self) -> str:
        return f"login:{self.email}"

    def _lock_seconds(self, failures: int, allowance: int) -> int:
        window = self.settings.login_window_seconds
        extra = max(0, failures - allowance)
        return int(min(MAX_LOCK_SECONDS, window * (2 ** min(extra, 16))))

    async def check(self) -> None:
        """Refuse (429) a source that is locked out of this account, or over its attempts."""
        settings = self.settings
        ok, retry = await self.limiter.hit(
            f"login:ip:{self.source}", settings.login_limit_per_ip, settings.login_window_seconds
        )
        if not ok:
            raise RateLimited("too many login attempts; try again later", retry_after=retry)
        log = self.failures
        failures, last = await log.get(self._pair)
        if not failures:
            return
        account_failures, _ = await log.get(self._account)
        allowance = (
            1
            if account_failures >= settings.login_failures_alarm
            else settings.login_limit_per_account
        )
        if failures >= allowance:
            until = last + self._lock_seconds(failures, allowance)
            remaining = int(until - time.time()) + 1
            if remaining > 0:
                raise RateLimited(
                    "too many failed sign-ins from here; try again later", retry_after=remaining
                )

    async def failed(self) -> None:
        log = self.failures
        await log.add(self._pair, FAILURE_TTL_SECONDS)
        await log.add(self._account, self.settings.login_window_seconds)

    async def succeeded(self) -> None:
        await self.failures.clear(self._pair)
