"""make bench, row g (and make bench-scale): how the cost of a run grows with the number of people.

One sandbox (a subprocess) seeded with ``--seed scale:50000``: 50,000 users of two events
each (user ids 1000001 on). For each size N (1,000 and 10,000 in ``make bench``; 1,000,
10,000 and 50,000 in ``make bench-scale``) the first N users are named in an identifiers file
(``user_id:N`` lines) and these whole processes are timed, one after the other:

- ``zdevents sync --db NEW -q``: the first sync;
- the same command again: a re-sync with nothing new;
- ``zdevents events --identifiers-file F --resume STATE -o FILE -q``: a bulk export with resume;
- the same first sync and bulk export from Python (``zdevents.sync(client, db, selectors)``,
  ``Client.events_many`` written to a JSONL file as the CLI writes it), also as whole
  processes: the CLI's cost next to the library's for the same job.

Reported: the seconds, the time per person, the ratio of the time per person to that at the
smallest size (linear cost: within 1.25x) and the CLI against the library (within 1.3x).
Then the sandbox's own cost per request: sequential requests for random people against the
50,000-person sandbox and a 1,000-person one, from this process.

The rows are printed and written to .bench/scale.md; no target is asserted (noisy machines).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
EMAIL, TOKEN = "bench@example.com", "bench-token"
FIRST_USER = 1_000_001  # the first user id of a scale seed in a new sandbox
PYTHON = sys.executable

LIBRARY_SYNC = """
import sys, zdevents
db, people = sys.argv[1], sys.argv[2]
selectors = [{"user_id": int(line.split(":")[1])} for line in open(people)]
with zdevents.Client.from_env() as client:
    zdevents.sync(client, db, selectors)
"""

LIBRARY_EXPORT = """
import json, sys, zdevents
out, people = sys.argv[1], sys.argv[2]
selectors = [{"user_id": int(line.split(":")[1])} for line in open(people)]
labels = {id(s): json.dumps(f"user_id:{s['user_id']}").encode() for s in selectors}
with zdevents.Client.from_env() as client, open(out, "wb") as f:
    for selector, event in client.events_many(selectors):
        f.write(b'{"selector":' + labels[id(selector)] + b',"event":' + event.raw + b"}\\n")
"""


@contextmanager
def sandbox(people: int) -> Iterator[str]:
    """A sandbox subprocess seeded with ``scale:people``; its base URL."""
    proc = subprocess.Popen(
        [PYTHON, "-m", "zdevents.sandbox", "--port", "0", "--seed", f"scale:{people}",
         "--email", EMAIL, "--token", TOKEN],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = next((w for w in first.split() if w.startswith("http")), None)
        if url is None:
            raise RuntimeError(f"sandbox did not start: {first!r}")
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield url.rstrip("/")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def timed(args: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} ... failed: {result.stderr.strip()[-500:]}")
    return seconds


def lines_in(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def per_request(servers: dict[int, str], rounds: int = 7, requests: int = 200) -> dict[int, float]:
    """Milliseconds a request (sequential, random people, one connection) for each sandbox
    (people -> base URL): in rounds, the sandboxes in turn, order alternating; the median."""
    rng = random.Random(7)
    times: dict[int, list[float]] = {people: [] for people in servers}
    with httpx.Client(auth=(f"{EMAIL}/token", TOKEN), timeout=30) as http:
        for r in range(rounds):
            order = list(servers) if r % 2 == 0 else list(reversed(servers))
            for people in order:
                base = servers[people]
                http.get(f"{base}/api/v2/users/{FIRST_USER}/events").raise_for_status()
                began = time.perf_counter()
                for _ in range(requests):
                    user = FIRST_USER + rng.randrange(people)
                    http.get(f"{base}/api/v2/users/{user}/events").raise_for_status()
                times[people].append((time.perf_counter() - began) / requests * 1e3)
    return {people: statistics.median(got) for people, got in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="numbers of people, comma-separated (default %(default)s)",
    )
    parser.add_argument(
        "--export-only", action="store_true", help="only the bulk exports (no sync)"
    )
    parser.add_argument("--out", default="scale.md", help="file in .bench/ (default %(default)s)")
    ns = parser.parse_args()
    sizes = sorted(int(s) for s in ns.sizes.split(","))
    seeded = max(50_000, sizes[-1])
    rows: list[str] = []
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, sandbox(seeded) as base:
        work = Path(tmp)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
            "ZENDESK_BASE_URL": base,
            "ZENDESK_EMAIL": EMAIL,
            "ZENDESK_API_TOKEN": TOKEN,
        }
        zdevents = [PYTHON, "-m", "zdevents"]
        for size in sizes:
            people = work / f"people-{size}.txt"
            people.write_text("".join(f"user_id:{FIRST_USER + n}\n" for n in range(size)))
            who = ["--identifiers-file", str(people), "-q"]
            db, lib_db = work / f"cli-{size}.db", work / f"lib-{size}.db"
            out, lib_out = work / f"cli-{size}.jsonl", work / f"lib-{size}.jsonl"
            got = {}
            if not ns.export_only:
                got["first sync"] = timed([*zdevents, "sync", "--db", str(db), *who], env)
                got["library sync"] = timed(
                    [PYTHON, "-c", LIBRARY_SYNC, str(lib_db), str(people)], env
                )
                got["re-sync"] = timed([*zdevents, "sync", "--db", str(db), *who], env)
            got |= {
                "export": timed(
                    [
                        *zdevents,
                        "events",
                        *who,
                        "-o",
                        str(out),
                        "--resume",
                        str(work / f"{size}.state"),
                    ],
                    env,
                ),
                "library export": timed(
                    [PYTHON, "-c", LIBRARY_EXPORT, str(lib_out), str(people)], env
                ),
            }
            if lines_in(out) != 2 * size or lines_in(lib_out) != 2 * size:
                raise RuntimeError(f"{size}: exported {lines_in(out)} / {lines_in(lib_out)} events")
            results[size] = got
            print(f"{size:,} people: " + ", ".join(f"{k} {v:.1f} s" for k, v in got.items()),
                  file=sys.stderr, flush=True)  # fmt: skip
        small = sizes[0]
        for name, library in [("first sync", "library sync"), ("re-sync", None),
                              ("export", "library export")]:  # fmt: skip
            what = {
                "first sync": "first `zdevents sync -q`",
                "re-sync": "re-sync, nothing new",
                "export": "`zdevents events --identifiers-file --resume -o`",
            }[name]
            for size in sizes:
                if name not in results[size]:
                    continue
                seconds = results[size][name]
                each = seconds / size * 1e3
                growth = each / (results[small][name] / small * 1e3)
                vs = ""
                if library is not None:
                    vs = f"; CLI / library {seconds / results[size][library]:.2f}× (≤ 1.30×)"
                target = "" if size == small else f"≤ 1.25× the {small:,}-person time"
                rows.append(
                    f"| g) {what}, {size:,} people | {seconds:.1f} s, {each:.2f} ms a person "
                    f"| {growth:.2f}× a person vs {small:,}{vs} | {target} |"
                )
        with sandbox(1_000) as small_base:
            cost = per_request({seeded: base, 1_000: small_base})
    big, small_cost = cost[seeded], cost[1_000]
    rows.append(
        f"| g) the sandbox: one request (sequential, random person) at {seeded:,} people / "
        f"at 1,000 | {big:.2f} / {small_cost:.2f} ms | {big / small_cost:.2f}× | ≈ 1× |"
    )
    print("\n".join(rows))
    out_file = ROOT / ".bench" / ns.out
    out_file.parent.mkdir(exist_ok=True)
    out_file.write_text(
        f"one run of each, whole processes, sizes {', '.join(f'{s:,}' for s in sizes)}\n\n"
        + "\n".join(rows)
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
