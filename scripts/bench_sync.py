"""make bench, row e): a re-sync against a full re-export.

100 people with 1,000 events each (100,000, spread over the year before now) are served by
the sandbox (in this process, on loopback). A first ``zdevents sync`` stores them; then, in
each round, 100 new events arrive (one a person) and three whole processes are timed, in an
order that alternates between rounds:

- ``zdevents sync`` (reads each person from the newest stored event minus the default
  one-hour overlap: about two events a person, one request each);
- ``zdevents events --identifiers-file ... -o FILE`` (a full re-export, to JSONL);
- ``zdevents sync --full`` (reads everything again into the same database).

The medians are printed as markdown rows (and written to .bench/sync.md); no target is
asserted: these machines are noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_server import realistic_event  # noqa: E402

from zdevents.sandbox import Sandbox  # noqa: E402

ZDEVENTS = [sys.executable, "-m", "zdevents"]


def stamp(moment: dt.datetime, nanos: int) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def records(
    people: int, each: int, start: dt.datetime, step: dt.timedelta, first_id: int
) -> Iterator[dict[str, Any]]:
    rng = random.Random(first_id)
    n = first_id
    for person in range(1, people + 1):
        profile = {
            "source": "coolbikes",
            "type": "rider",
            "identifiers": [{"type": "email", "value": f"rider{person}@example.com"}],
        }
        for i in range(each):
            event = realistic_event(n, rng)
            event.pop("received_at")
            event["created_at"] = stamp(start + i * step, rng.randrange(10**9))
            n += 1
            yield {"profile": profile, "event": event, "user_id": person}


def timed(args: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    result = subprocess.run(
        [*ZDEVENTS, *args], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - began
    if result.returncode != 0:
        raise RuntimeError(f"zdevents {' '.join(args)} failed: {result.stderr.strip()}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 people instead of 100")
    parser.add_argument("--rounds", type=int, default=None)
    ns = parser.parse_args()
    people, each = (10, 1_000) if ns.quick else (100, 1_000)
    rounds = ns.rounds or 3
    total = people * each
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    year = dt.timedelta(days=365)

    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sandbox:
        work = Path(tmp)
        print(f"seeding {total:,} events of {people} people ...", file=sys.stderr, flush=True)
        batch: list[dict[str, Any]] = []
        for record in records(people, each, now - year, year / each, 1):
            batch.append(record)
            if len(batch) == 10_000:
                sandbox.add_events(batch)
                batch = []
        sandbox.add_events(batch)
        env = {
            "PATH": "/usr/bin:/bin",
            "ZENDESK_BASE_URL": sandbox.base_url,
            "ZENDESK_EMAIL": sandbox.email,
            "ZENDESK_API_TOKEN": sandbox.api_token,
        }
        file = work / "people.txt"
        file.write_text(
            "".join(f"coolbikes:rider:email:rider{p}@example.com\n" for p in range(1, people + 1))
        )
        db = work / "events.db"
        who = ["--identifiers-file", str(file), "-q"]
        first = timed(["sync", "--db", str(db), *who], env)

        commands = {
            "resync": ["sync", "--db", str(db), *who],
            "export": ["events", *who, "-o", str(work / "all.jsonl")],
            "full": ["sync", "--db", str(db), *who, "--full"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for r in range(rounds):
            moment = now + dt.timedelta(minutes=r + 1)
            sandbox.add_events(records(people, 1, moment, dt.timedelta(0), 10_000_000 * (r + 1)))
            order = list(commands) if r % 2 == 0 else list(reversed(commands))
            # The re-sync must see only this round's new events: it runs first or after
            # the full one (which stores them too, then the re-sync finds them unchanged).
            order.remove("resync")
            order.insert(0, "resync")
            for name in order:
                times[name].append(timed(commands[name], env))
            print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                  file=sys.stderr, flush=True)  # fmt: skip

    resync = statistics.median(times["resync"])
    export = statistics.median(times["export"])
    full = statistics.median(times["full"])
    stored = f"{total:,} stored events of {people} people"
    rows = [
        f"| e) first `zdevents sync`: {stored} | {first:.2f} s | | |",
        f"| e) re-sync, {stored} and {people} new | {resync:.2f} s | 1.0× | |",
        f"| e) full re-export, `zdevents events --identifiers-file -o` JSONL | {export:.2f} s "
        f"| {export / resync:.1f}× the re-sync | re-sync much faster |",
        f"| e) `zdevents sync --full` into the same database | {full:.2f} s "
        f"| {full / resync:.1f}× the re-sync | |",
    ]
    print("\n".join(rows))
    out = ROOT / ".bench" / "sync.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(f"medians of {rounds} rounds, whole processes\n\n" + "\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
