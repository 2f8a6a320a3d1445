"""make bench, row f): the same events into DuckDB through dlt (``zdevents load``) and into
SQLite through ``zdevents sync``.

100 people with 1,000 events each (100,000) are served by the sandbox (in this process, on
loopback). Each round times two whole processes, each a first load into a new, empty
target, in an order that alternates between rounds:

- ``zdevents sync --db FILE --identifiers-file ...`` (SQLite, the standard library);
- ``zdevents load --identifiers-file ... --pipelines-dir DIR`` (dlt: extract to files,
  normalise, load into DuckDB, merge on id; dlt's import included).

Both read the same pages through the same bulk exporter; the difference is what happens to
the rows. The medians are printed as markdown rows (and written to .bench/dlt.md), with the
ratio as it comes out; no target is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_sync import records  # noqa: E402

from zdevents.sandbox import Sandbox  # noqa: E402

ZDEVENTS = [sys.executable, "-m", "zdevents"]


def timed(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """The wall time and the CPU time (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    result = subprocess.run(
        [*ZDEVENTS, *args], env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"zdevents {' '.join(args)} failed: {result.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 people instead of 100")
    parser.add_argument("--rounds", type=int, default=3)
    ns = parser.parse_args()
    try:
        import dlt  # noqa: F401
    except ImportError:
        print("| f) dlt into DuckDB | skipped: pip install 'zdevents[dlt]' | | |")
        return 0
    people, each = (10, 1_000) if ns.quick else (100, 1_000)
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
            "HOME": str(work),
            "ZENDESK_BASE_URL": sandbox.base_url,
            "ZENDESK_EMAIL": sandbox.email,
            "ZENDESK_API_TOKEN": sandbox.api_token,
            # No telemetry from a benchmark; dlt's data folder of its own.
            "RUNTIME__DLTHUB_TELEMETRY": "false",
            "DLT_DATA_DIR": str(work / "dlt-data"),
        }
        if "PYTHONPATH" in os.environ:
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        file = work / "people.txt"
        file.write_text(
            "".join(f"coolbikes:rider:email:rider{p}@example.com\n" for p in range(1, people + 1))
        )
        who = ["--identifiers-file", str(file), "-q"]
        times: dict[str, list[float]] = {"sync": [], "load": []}
        cpus: dict[str, list[float]] = {"sync": [], "load": []}
        for r in range(ns.rounds):
            here = work / f"round{r}"
            here.mkdir()
            commands = {
                "sync": ["sync", "--db", str(here / "events.db"), *who],
                "load": ["load", *who, "--pipelines-dir", str(here / "pipelines")],
            }
            order = list(commands) if r % 2 == 0 else list(reversed(commands))
            for name in order:
                wall, cpu = timed(commands[name], env, here)
                times[name].append(wall)
                cpus[name].append(cpu)
            print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()),
                  file=sys.stderr, flush=True)  # fmt: skip

    sync = statistics.median(times["sync"])
    load = statistics.median(times["load"])
    sync_cpu = statistics.median(cpus["sync"])
    load_cpu = statistics.median(cpus["load"])
    # CPU time too: on a shared machine the wall time of the longer run suffers more.
    rows = [
        f"| f) first `zdevents sync` into SQLite: {total:,} events of {people} people "
        f"| {sync:.2f} s ({sync_cpu:.1f} s CPU), {total / sync:,.0f} events/s | 1.0× | |",
        f"| f) first `zdevents load` into DuckDB through dlt: the same events "
        f"| {load:.2f} s ({load_cpu:.1f} s CPU), {total / load:,.0f} events/s "
        f"| {load / sync:.1f}× the time of sync ({load_cpu / sync_cpu:.1f}× its CPU) "
        "| dlt writes files, normalises, then loads and merges |",
    ]
    print("\n".join(rows))
    out = ROOT / ".bench" / "dlt.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(f"medians of {ns.rounds} rounds, whole processes\n\n" + "\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
