"""arq WorkerSettings: every domain's jobs and cron entries, from one registry."""

from __future__ import annotations

import logging
from typing import Any

from arq import cron
from arq.worker import func

from baton.auth.service import refresh_roles
from baton.jobs.queues import arq_redis_settings
from baton.jobs.registry import load_all, run_job
from baton.kit.gc_tuning import tune_gc
from baton.kit.logging import configure_logging
from baton.runtime import Runtime, build_runtime
from baton.settings import get_settings

log = logging.getLogger("baton.worker")


def _arq_function(name: str) -> Any:
    async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
        runtime: Runtime = ctx["runtime"]
        await refresh_roles(runtime)  # jobs choose agents by role: custom roles, edits
        return await run_job(runtime, name, kwargs)

    run.__qualname__ = run.__name__ = name.replace(".", "_")
    return run


async def startup(ctx: dict[str, Any]) -> None:
    if "runtime" in ctx:  # reconnected after a Redis outage: keep the running runtime
        log.info("reconnected to redis")
        return
    settings = get_settings()
    configure_logging(
        settings.log_level,
        settings.log_json,
        redact_pii=settings.log_redact_pii,
        region=settings.pii_phone_region,
    )
    runtime = build_runtime(settings, sio=None, run_jobs_in_process=False)
    await runtime.start()
    tune_gc(settings.gc_gen0_threshold)
    ctx["runtime"] = runtime


async def shutdown(ctx: dict[str, Any]) -> None:
    runtime: Runtime | None = ctx.get("runtime")
    if runtime is not None:
        await runtime.stop()


def worker_settings() -> dict[str, Any]:
    settings = get_settings()
    if not settings.redis_url:
        raise SystemExit(
            "baton worker needs BATON_REDIS_URL; without Redis the api runs jobs in-process"
        )
    registry = load_all()
    functions = [
        func(
            _arq_function(spec.name),
            name=spec.name,
            max_tries=spec.max_tries,
            timeout=spec.timeout_seconds,
        )
        for spec in registry.jobs.values()
    ]
    crons = [
        cron(
            _arq_function(c.job),
            name=f"cron:{c.job}",
            minute=set(c.minute) if c.minute is not None else None,
            second=c.second,
            run_at_startup=c.run_at_startup,
        )
        for c in registry.crons
    ]
    return {
        "functions": functions,
        "cron_jobs": crons,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": arq_redis_settings(settings.redis_url),
        "queue_name": settings.job_queue_name,
        "max_jobs": 20,
        # a job's result is read only by whoever waits on it at once (`Job.result()`); arq's
        # default keeps each for an hour, one key per job (a visitor message in an agent's
        # conversation is a job: 13,600 keys after one S1 bench run)
        "keep_result": 60,
        "handle_signals": True,
    }
