"""What encryption at rest adds to one visitor message, in CPU: sealing its text and its
conversation preview (AES-256-GCM) and hashing its blind-index terms (HMAC-SHA256), as
conversations/batch.py does for every message; and opening one text, as every read does.

    PYTHONPATH=scripts .venv/bin/python -m bench_lib.sealcost [--rounds 20000]
"""

from __future__ import annotations

import argparse
import json
import secrets
import time

from baton.kit.crypto import Keyring

MESSAGES = {
    "short (24 chars)": "Hi, where is my order?",
    "typical (120 chars)": (
        "Hello, I ordered a pair of running shoes last Tuesday and the tracking page still "
        "says label created. Can you check?"
    ),
    "long (1,000 chars)": " ".join(["Crème brûlée refund invoice 1182 please"] * 25),
}


def measure(rounds: int) -> dict[str, dict[str, float]]:
    ring = Keyring()
    ring.install({"dbench": secrets.token_bytes(32)}, "dbench", secrets.token_bytes(32))
    out: dict[str, dict[str, float]] = {}
    for label, text in MESSAGES.items():
        start = time.process_time()
        for _ in range(rounds):
            ring.seal(text, "messages.text")
            ring.seal(text[:300], "conversations.last_message_text")
        seal_us = (time.process_time() - start) / rounds * 1e6
        start = time.process_time()
        for _ in range(rounds):
            terms = ring.terms([text])
        terms_us = (time.process_time() - start) / rounds * 1e6
        sealed = ring.seal(text, "messages.text")
        start = time.process_time()
        for _ in range(rounds):
            ring.open(sealed, "messages.text")
        open_us = (time.process_time() - start) / rounds * 1e6
        out[label] = {
            "seal_text_and_preview_us": round(seal_us, 1),
            "index_terms_us": round(terms_us, 1),
            "terms": len(terms),
            "open_us": round(open_us, 1),
            "stored_bytes": len(sealed),
            "plain_bytes": len(text.encode()),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20_000)
    print(json.dumps(measure(parser.parse_args().rounds), indent=2))


if __name__ == "__main__":
    main()
