"""S9: the widget's first paint on a customer's page, measured in Chromium.

From the loader script starting (``Baton.timing.loaderStart``) to the launcher drawn inside
the widget's iframe (``launcherShown``), each load in a fresh browser context (nothing
cached), against one granian api process and scripts/demo_host.py on another origin. The
target is 300 ms at p50; the browser test checks only that the timing is reported.
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from typing import Any

from .env import ROOT
from .procs import free_port
from .scenarios import Context, Row, Scenario
from .stats import summarize


def _demo_host(api_url: str) -> tuple[str, Any]:
    spec = importlib.util.spec_from_file_location("demo_host", ROOT / "scripts" / "demo_host.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    port = free_port()
    httpd = module.make_server("127.0.0.1", port, api_url)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", httpd


async def _loads(host: str, loads: int) -> list[float]:
    from playwright.async_api import async_playwright

    timings: list[float] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        try:
            for _ in range(loads):
                context = await browser.new_context()
                try:
                    page = await context.new_page()
                    await page.goto(host + "/")
                    await page.wait_for_function(
                        "window.Baton && window.Baton.timing.launcherShown"
                    )
                    t = await page.evaluate("Baton.timing")
                    timings.append(float(t["launcherShown"]) - float(t["loaderStart"]))
                finally:
                    await context.close()
        finally:
            await browser.close()
    return timings


async def scenario(ctx: Context) -> Scenario:
    sc = Scenario("s9", "widget first paint: loader start to launcher drawn (Chromium, cold)")
    loads = 5 if ctx.quick else 30
    url, proc = await asyncio.to_thread(ctx.env.start_baton, "granian")
    host, httpd = _demo_host(url)
    try:
        await _loads(host, 2)  # the api's first requests warm its caches; not counted
        timings = await _loads(host, loads)
    finally:
        httpd.shutdown()
        await asyncio.to_thread(ctx.env.stop_procs, [proc])
    sc.rows.append(
        Row("launcher shown after the loader starts (target p50 <= 300)", "ms", summarize(timings))
    )
    sc.details.update(loads=loads, timings_ms=[round(t, 1) for t in timings])
    return sc
