"""A local S3-compatible server for the tests: moto's, installed from PyPI (dev deps)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.support import VENV_BIN, free_port

BUCKET = "baton-test"
S3_SETTINGS = dict(
    s3_region="us-east-1", s3_access_key_id="testing", s3_secret_access_key="testing"
)


@contextmanager
def moto_server() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        httpx.put(f"{url}/{BUCKET}", timeout=5).raise_for_status()  # create the bucket
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
