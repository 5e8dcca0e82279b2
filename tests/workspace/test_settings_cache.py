"""The per-process settings cache never outlives a change, and never serves one that may
still be rolled back (the widget once showed the old welcome right after a save)."""

from __future__ import annotations

from baton.runtime import Runtime
from baton.workspace.service import WorkspacePatch, get_config, update_config


async def test_a_reader_racing_the_commit_sees_the_new_value_right_after_it(
    runtime: Runtime,
) -> None:
    before = (await _read(runtime)).welcome_message
    async with runtime.db.session() as writer:
        await update_config(writer, WorkspacePatch(welcome_message="Fresh greeting"))
        # another request reads while the write is not yet committed: it sees (and caches)
        # the old value, which must not survive the commit
        assert (await _read(runtime)).welcome_message == before
        await writer.commit()
    assert (await _read(runtime)).welcome_message == "Fresh greeting"


async def test_an_uncommitted_value_is_never_served_to_others(runtime: Runtime) -> None:
    before = (await _read(runtime)).welcome_message
    async with runtime.db.session() as writer:
        await update_config(writer, WorkspacePatch(welcome_message="Never committed"))
        assert (await get_config(writer)).welcome_message == "Never committed"  # its own write
        assert (await _read(runtime)).welcome_message == before
        await writer.rollback()
    assert (await _read(runtime)).welcome_message == before


async def _read(runtime: Runtime):  # type: ignore[no-untyped-def]
    async with runtime.db.session() as session:
        return await get_config(session)
