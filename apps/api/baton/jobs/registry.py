"""Domains declare jobs here; the arq worker and the in-process runner read the same registry.

A job is ``async def fn(uow: UnitOfWork, **kwargs)``: it runs in its own unit of work, so its
events and follow-up jobs go out only once it commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

JobFn = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    fn: JobFn
    max_tries: int = 3
    timeout_seconds: int = 300


@dataclass(frozen=True)
class CronSpec:
    """Runs ``job`` when the wall clock matches (arq's cron semantics: sets of minutes/seconds)."""

    job: str
    minute: frozenset[int] | None = None
    second: int = 0
    run_at_startup: bool = False


@dataclass
class Registry:
    jobs: dict[str, JobSpec] = field(default_factory=dict)
    crons: list[CronSpec] = field(default_factory=list)

    def add(self, spec: JobSpec) -> None:
        if spec.name in self.jobs and self.jobs[spec.name].fn is not spec.fn:
            raise ValueError(f"job {spec.name!r} registered twice")
        self.jobs[spec.name] = spec

    def get(self, name: str) -> JobSpec:
        try:
            return self.jobs[name]
        except KeyError:
            raise LookupError(f"unknown job {name!r}") from None


registry = Registry()


def job(name: str, *, max_tries: int = 3, timeout_seconds: int = 300) -> Callable[[JobFn], JobFn]:
    def decorate(fn: JobFn) -> JobFn:
        registry.add(JobSpec(name, fn, max_tries, timeout_seconds))
        return fn

    return decorate


def cron_job(
    name: str, *, every_minutes: int = 1, second: int = 0, run_at_startup: bool = False
) -> Callable[[JobFn], JobFn]:
    """Register ``fn`` as a job and schedule it every ``every_minutes`` minutes."""

    def decorate(fn: JobFn) -> JobFn:
        registry.add(JobSpec(name, fn, max_tries=1))
        minutes = frozenset(range(0, 60, every_minutes)) if every_minutes > 1 else None
        registry.crons.append(CronSpec(name, minutes, second, run_at_startup))
        return fn

    return decorate


def load_all() -> Registry:
    """Import every domain's jobs module so their decorators run."""
    from baton import catalog

    catalog.import_jobs()
    return registry


async def run_job(runtime: Any, name: str, kwargs: dict[str, Any]) -> Any:
    """Run one job in its own unit of work (used by both runners)."""
    from baton.kit.logging import job_context
    from baton.kit.uow import unit_of_work

    spec = registry.get(name)
    with job_context(name):
        async with unit_of_work(runtime) as uow:
            return await spec.fn(uow, **kwargs)
