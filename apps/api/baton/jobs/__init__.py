"""Background jobs: one registry, run by arq against Redis or by an in-process runner."""

from baton.jobs.registry import cron_job, job, registry

__all__ = ["cron_job", "job", "registry"]
