from __future__ import annotations

import asyncio

from arq.worker import Worker

from baton_worker.settings import worker_settings


def run_worker() -> None:
    asyncio.set_event_loop(asyncio.new_event_loop())
    Worker(**worker_settings()).run()
