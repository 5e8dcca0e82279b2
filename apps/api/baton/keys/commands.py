"""``baton keys check | rotate | encrypt-existing`` (outside any request; progress on stdout)."""

from __future__ import annotations

import sys

from sqlalchemy.exc import DBAPIError

from baton import catalog
from baton.db.engine import Database
from baton.keys.service import encrypt_existing, load_keyring, rotate_keys
from baton.kit.crypto import KeyringError, fingerprint
from baton.settings import get_settings


def _say(line: str) -> None:
    print(line, flush=True)


async def check_command(*, quiet: bool = False) -> int:
    """Open the data keys with the configured master keys (``baton serve`` runs this first,
    so a wrong or missing key stops it with a clear message, not garbage later)."""
    catalog.import_models()
    settings = get_settings()
    db = Database.for_scripts(settings.database_url)
    try:
        await load_keyring(db, settings)
    except KeyringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DBAPIError as exc:
        print(
            f"error: cannot read the data keys ({type(exc.orig).__name__}): is the database "
            "up and upgraded (`baton db upgrade`)?",
            file=sys.stderr,
        )
        return 2
    finally:
        await db.dispose()
    if not quiet:
        print(f"data keys open under master key {fingerprint(settings.master_key)}")
    return 0


async def rotate_command() -> int:
    catalog.import_models()
    settings = get_settings()
    db = Database.for_scripts(settings.database_url)
    try:
        _say(
            f"re-wrapping under master key {fingerprint(settings.master_key)} "
            f"({len(settings.previous_master_keys)} previous key(s) to read with)"
        )
        return await rotate_keys(db, settings, _say)
    except KeyringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        await db.dispose()


async def encrypt_existing_command() -> int:
    catalog.import_models()
    settings = get_settings()
    db = Database.for_scripts(settings.database_url)
    try:
        await load_keyring(db, settings)
        sealed = await encrypt_existing(db, _say)
        _say(f"encrypt-existing done: {sealed} row(s) sealed")
        return 0
    except KeyringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        await db.dispose()
