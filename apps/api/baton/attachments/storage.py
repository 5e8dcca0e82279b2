"""Where attachment bytes live: local disk under the data folder (default) or any
S3-compatible store. ``BATON_STORAGE_URL`` picks one: ``file:///path`` or
``s3://bucket/prefix`` (with ``BATON_S3_ENDPOINT_URL``, ``BATON_S3_REGION``,
``BATON_S3_ACCESS_KEY_ID``, ``BATON_S3_SECRET_ACCESS_KEY``).

Both stream: a file goes up from its spooled copy on disk and comes back in chunks, never
whole in memory.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from baton.settings import Settings

if TYPE_CHECKING:
    from baton.runtime import Runtime

CHUNK = 256 * 1024
_KEY = re.compile(r"^[A-Za-z0-9._/-]{1,300}$")


class StoredObjectMissing(Exception):
    pass


def _check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key or key.startswith("/"):
        raise ValueError(f"bad storage key {key!r}")
    return key


class Storage(Protocol):
    async def put(self, key: str, source: Path, content_type: str) -> None: ...

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; raises StoredObjectMissing before the first one."""
        ...

    async def delete(self, key: str) -> None:
        """Deleting what is not there is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...

    def older_than(self, cutoff: datetime) -> AsyncIterator[str]:
        """The keys of objects last written before ``cutoff`` (for the orphan sweep)."""
        ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    async def put(self, key: str, source: Path, content_type: str) -> None:
        target = self._path(key)

        def copy() -> None:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial = target.with_name(target.name + ".part")
            shutil.copyfile(source, partial)
            os.replace(partial, target)  # readers never see half a file

        await asyncio.to_thread(copy)

    async def read(self, key: str) -> AsyncIterator[bytes]:  # type: ignore[override]
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError as exc:
            raise StoredObjectMissing(key) from exc
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def older_than(self, cutoff: datetime) -> AsyncIterator[str]:  # type: ignore[override]
        def scan() -> list[str]:
            if not self.root.is_dir():
                return []
            limit = cutoff.timestamp()
            found: list[str] = []
            for path in self.root.rglob("*"):
                try:
                    if path.is_file() and path.stat().st_mtime < limit:
                        found.append(path.relative_to(self.root).as_posix())
                except FileNotFoundError:  # deleted meanwhile
                    continue
            return found

        for key in await asyncio.to_thread(scan):
            yield key


class S3Storage:
    """Any S3-compatible store through aioboto3 (AWS, MinIO, Ceph, R2, moto in the tests)."""

    def __init__(self, settings: Settings, bucket: str, prefix: str) -> None:
        import aioboto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.session = aioboto3.Session()
        from botocore.config import Config

        self.options: dict[str, Any] = {
            "config": Config(
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": settings.s3_max_attempts, "mode": "standard"},
            ),
            "endpoint_url": settings.s3_endpoint_url,
            "region_name": settings.s3_region,
            "aws_access_key_id": settings.s3_access_key_id,
            "aws_secret_access_key": settings.s3_secret_access_key,
        }

    def _key(self, key: str) -> str:
        key = _check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _client(self) -> Any:
        return self.session.client("s3", **self.options)

    async def put(self, key: str, source: Path, content_type: str) -> None:
        async with self._client() as s3:
            # managed transfer: multipart from the file on disk above its threshold
            await s3.upload_file(
                str(source), self.bucket, self._key(key), ExtraArgs={"ContentType": content_type}
            )

    async def read(self, key: str) -> AsyncIterator[bytes]:  # type: ignore[override]
        from botocore.exceptions import ClientError

        async with self._client() as s3:
            try:
                response = await s3.get_object(Bucket=self.bucket, Key=self._key(key))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    raise StoredObjectMissing(key) from exc
                raise
            body = response["Body"]
            try:
                async for chunk in body.iter_chunks(CHUNK):
                    yield chunk
            finally:
                body.close()

    async def delete(self, key: str) -> None:
        async with self._client() as s3:
            await s3.delete_object(Bucket=self.bucket, Key=self._key(key))

    async def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        async with self._client() as s3:
            try:
                await s3.head_object(Bucket=self.bucket, Key=self._key(key))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return False
                raise
            return True

    async def older_than(self, cutoff: datetime) -> AsyncIterator[str]:  # type: ignore[override]
        prefix = f"{self.prefix}/" if self.prefix else ""
        async with self._client() as s3:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            async for page in pages:
                for item in page.get("Contents", []):
                    modified = item["LastModified"]
                    if modified.tzinfo is None:
                        modified = modified.replace(tzinfo=UTC)
                    if modified < cutoff:
                        yield str(item["Key"])[len(prefix) :]


def storage_for(settings: Settings) -> Storage:
    url = settings.storage_url or f"file://{settings.data_dir / 'attachments'}"
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStorage(Path(parts.netloc + parts.path).resolve())
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError("BATON_STORAGE_URL s3://bucket/prefix needs a bucket")
        return S3Storage(settings, parts.netloc, parts.path)
    raise ValueError("BATON_STORAGE_URL must be file://... or s3://bucket/prefix")


class StorageSlot:
    """This process's storage, made from its settings on first use."""

    def __init__(self) -> None:
        self.storage: Storage | None = None


def storage_of(runtime: Runtime) -> Storage:
    slot = runtime.slot(StorageSlot)
    if slot.storage is None:
        slot.storage = storage_for(runtime.settings)
    return slot.storage
