"""Fast tier: both storage backends, the S3 one against a local S3-compatible server."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from baton.attachments.storage import (
    LocalStorage,
    S3Storage,
    Storage,
    StoredObjectMissing,
    storage_for,
)
from baton.settings import Settings, load_settings
from tests.attachments.s3 import BUCKET, S3_SETTINGS, moto_server


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


def _settings(tmp_path: Path, **values: object) -> Settings:
    return dataclasses.replace(load_settings(), data_dir=tmp_path, **values)  # type: ignore[arg-type]


async def _roundtrip(storage: Storage, tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    data = bytes(range(256)) * 4096  # 1 MiB: several chunks
    source.write_bytes(data)
    await storage.put("a/b/file-1", source, "application/octet-stream")
    assert await storage.exists("a/b/file-1")
    assert b"".join([c async for c in storage.read("a/b/file-1")]) == data
    await storage.delete("a/b/file-1")
    await storage.delete("a/b/file-1")  # deleting what is gone is fine
    assert not await storage.exists("a/b/file-1")
    with pytest.raises(StoredObjectMissing):
        async for _ in storage.read("a/b/file-1"):
            pass
    with pytest.raises(ValueError):
        await storage.put("../escape", source, "text/plain")
    # what the orphan sweep lists: objects written before a moment, by key
    await storage.put("c/old-1", source, "application/octet-stream")
    now = datetime.now(UTC)
    assert [k async for k in storage.older_than(now + timedelta(minutes=5))] == ["c/old-1"]
    assert [k async for k in storage.older_than(now - timedelta(minutes=5))] == []
    await storage.delete("c/old-1")


async def test_local_disk(tmp_path: Path) -> None:
    storage = storage_for(_settings(tmp_path))
    assert isinstance(storage, LocalStorage)
    assert storage.root == (tmp_path / "attachments").resolve()
    await _roundtrip(storage, tmp_path)


async def test_s3_compatible_store(tmp_path: Path, s3_url: str) -> None:
    settings = _settings(
        tmp_path, storage_url=f"s3://{BUCKET}/prefix", s3_endpoint_url=s3_url, **S3_SETTINGS
    )
    storage = storage_for(settings)
    assert isinstance(storage, S3Storage) and storage.prefix == "prefix"
    await _roundtrip(storage, tmp_path)


def test_storage_url_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        storage_for(_settings(tmp_path, storage_url="ftp://x"))
    with pytest.raises(ValueError):
        storage_for(_settings(tmp_path, storage_url="s3:///nobucket"))
