"""The ``baton`` command: serve, worker, db upgrade, users create, keys, analytics, demo."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

SERVERS = ("granian", "uvicorn", "socketify")


def _serve(args: argparse.Namespace) -> int:
    from baton.keys.commands import check_command
    from baton.serving import ensure_port_free, serve

    ensure_port_free(args.host, args.port)
    code = asyncio.run(check_command(quiet=True))  # the wrong master key: stop here, clearly
    if code:
        return code
    serve(server=args.server, host=args.host, port=args.port, workers=args.workers)
    return 0


def _worker(_: argparse.Namespace) -> int:
    from baton_worker.main import run_worker

    run_worker()
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from baton.db.migrate import upgrade

    upgrade(revision=args.revision)
    print(f"database upgraded to {args.revision}")
    return 0


def _users_create(args: argparse.Namespace) -> int:
    from baton.users.commands import create_user_command

    return asyncio.run(
        create_user_command(
            email=args.email, password=args.password, role=args.role, name=args.name
        )
    )


def _demo(args: argparse.Namespace) -> int:
    from baton.demo import seed_demo

    return asyncio.run(seed_demo(print_summary=not args.quiet))


def _keys(args: argparse.Namespace) -> int:
    from baton.keys.commands import check_command, encrypt_existing_command, rotate_command

    if args.keys_command == "rotate":
        return asyncio.run(rotate_command())
    if args.keys_command == "encrypt-existing":
        return asyncio.run(encrypt_existing_command())
    return asyncio.run(check_command())


def _analytics(args: argparse.Namespace) -> int:
    from baton.analytics.commands import rebuild_command, rollup_command

    if args.analytics_command == "rebuild":
        return asyncio.run(rebuild_command(start=args.start, end=args.end))
    return asyncio.run(rollup_command())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="baton", description="Baton customer-support platform")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the api, realtime and front ends on one port")
    serve.add_argument("--host", default=os.environ.get("BATON_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("BATON_PORT", "8000")))
    serve.add_argument(
        "--server", choices=SERVERS, default=os.environ.get("BATON_SERVER", "granian")
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (granian/uvicorn)")
    serve.set_defaults(fn=_serve)

    worker = sub.add_parser("worker", help="run the arq job worker (needs BATON_REDIS_URL)")
    worker.set_defaults(fn=_worker)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(fn=_db_upgrade)

    users = sub.add_parser("users", help="user commands")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    create = users_sub.add_parser("create", help="create a user")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument(
        "--role", default="agent", help="admin, agent or a role created under /api/v1/roles"
    )
    create.add_argument("--name")
    create.set_defaults(fn=_users_create)

    analytics = sub.add_parser("analytics", help="analytics rollups")
    analytics_sub = analytics.add_subparsers(dest="analytics_command", required=True)
    rebuild = analytics_sub.add_parser(
        "rebuild", help="recompute reporting events and rollups for UTC days FROM..TO"
    )
    rebuild.add_argument("--from", dest="start", required=True, help="first day, 2026-11-01")
    rebuild.add_argument("--to", dest="end", required=True, help="last day (included)")
    rebuild.set_defaults(fn=_analytics)
    rollup = analytics_sub.add_parser("rollup", help="run the incremental rollup once")
    rollup.set_defaults(fn=_analytics)

    keys = sub.add_parser("keys", help="encryption at rest: check, rotate, encrypt-existing")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("check", help="open the data keys with the configured master key(s)")
    keys_sub.add_parser(
        "rotate",
        help="re-wrap every data key and sealed secret under BATON_MASTER_KEY, reading old "
        "ones with BATON_PREVIOUS_MASTER_KEYS (online, resumable)",
    )
    keys_sub.add_parser(
        "encrypt-existing", help="seal and index rows written before encryption (resumable)"
    )
    keys.set_defaults(fn=_keys)

    demo = sub.add_parser("demo", help="seed a demo workspace (idempotent)")
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(fn=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.fn(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
