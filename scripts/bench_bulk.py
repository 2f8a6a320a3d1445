"""How bulk export scales with concurrency: Client and AsyncClient ``events_many`` against the
sandbox (in its own process, with a fixed latency per request), as a speed-up over
concurrency 1.

    .venv/bin/python scripts/bench_bulk.py [--people 200] [--latency 0.05] [--rounds 3]

Each round runs every (client, concurrency) pair once, in an order that alternates between
rounds; the table shows medians, of wall time and of the client process's CPU time (which a
busy machine disturbs less). Speed belongs here, never in a timed test assertion.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import EMAIL, TOKEN, sandbox, write_seed

import zdevents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--events", type=int, default=20, help="events per person")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 20, 50])
    args = parser.parse_args()
    selectors = [f"coolbikes:rider:email:rider{p}@example.com" for p in range(1, args.people + 1)]
    expected = args.people * args.events

    with tempfile.TemporaryDirectory() as folder:
        seed = Path(folder) / "people.jsonl"
        write_seed(seed, args.people, args.events)
        with sandbox(seed, "--latency", str(args.latency)) as base:

            def threads(n: int) -> int:
                with zdevents.Client(base_url=base, email=EMAIL, api_token=TOKEN) as client:
                    return sum(1 for _ in client.events_many(selectors, concurrency=n))

            def tasks(n: int) -> int:
                async def run() -> int:
                    async with zdevents.AsyncClient(
                        base_url=base, email=EMAIL, api_token=TOKEN
                    ) as client:
                        pairs = client.events_many(selectors, concurrency=n)
                        return sum([1 async for _ in pairs])

                return asyncio.run(run())

            runs: list[tuple[str, int, Callable[[int], int]]] = [
                (name, n, fn)
                for n in args.concurrency
                for name, fn in (("Client", threads), ("AsyncClient", tasks))
            ]
            times: dict[tuple[str, int], list[float]] = {(name, n): [] for name, n, _ in runs}
            cpu: dict[tuple[str, int], list[float]] = {(name, n): [] for name, n, _ in runs}
            for round_ in range(args.rounds):
                for name, n, fn in runs if round_ % 2 == 0 else runs[::-1]:
                    started, used = time.perf_counter(), time.process_time()
                    got = fn(n)
                    times[name, n].append(time.perf_counter() - started)
                    cpu[name, n].append(time.process_time() - used)
                    if got != expected:
                        raise SystemExit(f"{name} at {n} read {got} events, not {expected}")

    print(f"{args.people} people x {args.events} events, {args.latency * 1000:.0f} ms a request,"
          f" median of {args.rounds} rounds")  # fmt: skip
    print(f"{'client':<12} {'concurrency':>11} {'seconds':>8} {'speed-up':>9} {'CPU s':>6}")
    for name in ("Client", "AsyncClient"):
        base_time = statistics.median(times[name, min(args.concurrency)])
        for n in args.concurrency:
            seconds = statistics.median(times[name, n])
            used = statistics.median(cpu[name, n])
            print(f"{name:<12} {n:>11} {seconds:>8.2f} {base_time / seconds:>8.1f}x {used:>6.2f}")


if __name__ == "__main__":
    main()
