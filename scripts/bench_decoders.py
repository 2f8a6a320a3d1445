"""The decoders considered for page bodies (issue 11), on one page of 100 realistic events.

Run: ``python scripts/bench_decoders.py``. Prints microseconds a page (best of 7) for: the
standard library (what the baseline loop does), orjson and msgspec without a schema (fast,
but neither gives the text of each event, and orjson turns integers over 64 bits into
floats), msgspec with ``list[msgspec.Raw]`` (the exact span of each event, what zdevents
uses), and zdevents' whole ``decode_page``. orjson is measured only when it is installed.
"""

from __future__ import annotations

import json
import sys
import timeit
from pathlib import Path
from typing import Any

import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_server import Pages

from zdevents._responses import decode_page


class _Spans(msgspec.Struct):
    events: list[msgspec.Raw]


def main() -> int:
    body = Pages(1000, "https").body("127.0.0.1:1", "/api/v2/users/1/events", 0, 100)
    response = httpx.Response(200, content=body)
    response.read()
    spans = msgspec.json.Decoder(_Spans)
    runs: list[tuple[str, Any]] = [
        ("json.loads (stdlib)", lambda: json.loads(body)),
        ("msgspec.json.decode, no schema", lambda: msgspec.json.decode(body)),
        ("msgspec, events as list[msgspec.Raw]", lambda: spans.decode(body)),
        (
            "zdevents decode_page (Raw spans, bytes, Event objects, Page)",
            lambda: decode_page(response),
        ),
    ]
    try:
        import orjson

        runs.insert(1, ("orjson.loads", lambda: orjson.loads(body)))
    except ImportError:
        pass
    print(f"one page: {len(body):,} bytes, 100 events")
    for name, run in runs:
        seconds = min(timeit.repeat(run, number=200, repeat=7)) / 200
        print(f"{name:62s} {seconds * 1e6:8.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
