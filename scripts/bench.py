"""make bench: speed and memory of zdevents, as ratios against baselines run in this process.

a) throughput over 100,000 realistic events at page size 100 from a fast loopback server
   speaking HTTPS, as Zendesk does (a throwaway CA from trustme):
   a raw httpx.Client + json.loads loop (the baseline), zdevents.Client, zdevents.AsyncClient,
   and the approach of Zendesk's "Accessing events" page (requests.get per page, no session);
b) peak RSS of `zdevents events` exporting 1,000,000 events to JSONL, next to 10,000;
c) bulk export of 200 people from the sandbox with 50 ms of added latency, sequential next
   to concurrent (threads and asyncio, concurrency 20);
d) a one-minute export under the sandbox's rate limit of 600 a minute: share of the limit
   used and share of requests answered 429.

Servers run in subprocesses so that they don't share the client's interpreter. Targets are
printed next to the results, not asserted: these machines are noisy. The report (markdown)
is printed and written to .bench/report.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import requests

import zdevents

ROOT = Path(__file__).resolve().parent.parent
EMAIL, TOKEN = "bench@example.com", "bench-token"


# -- servers ------------------------------------------------------------------------------------


@contextmanager
def subprocess_server(args: list[str], env: dict[str, str] | None = None) -> Iterator[str]:
    """Start a server that prints its base URL (as a URL somewhere in its first line)."""
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = next((w for w in first.split() if w.startswith("http")), None)
        if url is None:
            raise RuntimeError(f"server did not start: {first!r}")
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield url.rstrip("/")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def fast_server(total: int, tls: TLS | None = None) -> Any:
    args = [str(ROOT / "scripts" / "bench_server.py"), str(total)]
    return subprocess_server(args + ([str(tls.cert), str(tls.key)] if tls else []))


class TLS:
    """A throwaway CA and a certificate for 127.0.0.1, as files."""

    def __init__(self, workdir: Path) -> None:
        import trustme

        ca = trustme.CA()
        issued = ca.issue_cert("127.0.0.1")
        self.ca, self.cert, self.key = workdir / "ca.pem", workdir / "cert.pem", workdir / "key.pem"
        ca.cert_pem.write_to_path(str(self.ca))
        issued.private_key_pem.write_to_path(str(self.key))
        issued.cert_chain_pems[0].write_to_path(str(self.cert))
        for extra in issued.cert_chain_pems[1:]:
            extra.write_to_path(str(self.cert), append=True)


def sandbox(seed_file: Path, *extra: str) -> Any:
    return subprocess_server(
        [
            "-m", "zdevents.sandbox", "--port", "0", "--seed", str(seed_file),
            "--email", EMAIL, "--token", TOKEN, *extra,
        ]
    )  # fmt: skip


def write_seed(path: Path, people: int, events_each: int) -> None:
    """Track-event records: ``people`` profiles (user ids 1..people) with events each."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import random

    from bench_server import realistic_event

    rng = random.Random(7)
    with path.open("w") as out:
        for person in range(1, people + 1):
            profile = {
                "source": "coolbikes",
                "type": "rider",
                "identifiers": [{"type": "email", "value": f"rider{person}@example.com"}],
            }
            for i in range(events_each):
                event = realistic_event(person * 1_000_000 + i, rng)
                event.pop("received_at")
                record = {"profile": profile, "event": event, "user_id": person}
                out.write(json.dumps(record) + "\n")


# -- a) throughput ------------------------------------------------------------------------------


def raw_httpx(base: str, ca: str) -> int:
    """The baseline: the shortest loop a careful user would write with httpx."""

    def events() -> Iterator[dict[str, Any]]:
        with httpx.Client(auth=(f"{EMAIL}/token", TOKEN), verify=ca) as http:
            url: str | None = f"{base}/api/v2/users/1/events"
            params: dict[str, Any] | None = {"page[size]": 100}
            while url:
                body = json.loads(http.get(url, params=params).content)
                yield from body["events"]
                url, params = body["links"][0]["next"] or None, None

    return sum(1 for _ in events())


def zdevents_sync(base: str, ca: str) -> int:
    with zdevents.Client(base_url=base, email=EMAIL, api_token=TOKEN, verify=ca) as client:
        return sum(1 for _ in client.events(user_id=1))


def zdevents_async(base: str, ca: str) -> int:
    async def run() -> int:
        async with zdevents.AsyncClient(
            base_url=base, email=EMAIL, api_token=TOKEN, verify=ca
        ) as client:
            return sum([1 async for _ in client.events(user_id=1)])

    return asyncio.run(run())


def accessing_events_page(base: str, ca: str) -> int:
    """As on Zendesk's page: requests.get with auth per request, no session."""
    count = 0
    url: str | None = f"{base}/api/v2/users/1/events"
    params: dict[str, Any] | None = {"page[size]": 100}
    while url:
        response = requests.get(
            url, params=params, auth=(f"{EMAIL}/token", TOKEN), timeout=30, verify=ca
        )
        body = response.json()
        count += sum(1 for _ in body["events"])
        url, params = body["links"][0]["next"] or None, None
    return count


def throughput(rounds: int, total: int, workdir: Path) -> list[tuple[str, float, float]]:
    runners: list[tuple[str, Callable[[str, str], int]]] = [
        ("raw httpx.Client + json.loads (baseline)", raw_httpx),
        ("zdevents.Client", zdevents_sync),
        ("zdevents.AsyncClient", zdevents_async),
        ("requests.get per page, no session (Zendesk's page)", accessing_events_page),
    ]
    rates: dict[str, list[float]] = {name: [] for name, _ in runners}
    tls = TLS(workdir)
    with fast_server(total, tls) as base:
        raw_httpx(base, str(tls.ca))  # warm the server's page cache
        for _ in range(rounds):
            for name, run in runners:
                started = time.perf_counter()
                got = run(base, str(tls.ca))
                elapsed = time.perf_counter() - started
                if got != total:
                    raise RuntimeError(f"{name} read {got} events, expected {total}")
                rates[name].append(got / elapsed)
    baseline = statistics.median(rates[runners[0][0]])
    return [
        (name, statistics.median(r), statistics.median(r) / baseline) for name, r in rates.items()
    ]


# -- b) memory ----------------------------------------------------------------------------------


def export_peak_rss(total: int, workdir: Path) -> tuple[float, int]:
    """Peak RSS in MB of a `zdevents events` export of ``total`` events, and lines written."""
    output = workdir / f"export-{total}.jsonl"
    with fast_server(total) as base:
        env = {
            **os.environ,
            "ZENDESK_BASE_URL": base,
            "ZENDESK_EMAIL": EMAIL,
            "ZENDESK_API_TOKEN": TOKEN,
        }
        exe = Path(sys.executable).with_name("zdevents")
        proc = subprocess.Popen(
            [str(exe), "events", "--user-id", "1", "--format", "jsonl", "--output", str(output),
             "--quiet"],
            env=env,
        )  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"zdevents events exited {proc.returncode}")
    with output.open("rb") as f:
        lines = sum(1 for _ in f)
    output.unlink()
    return usage.ru_maxrss / 1024, lines  # ru_maxrss is in KiB on Linux


# -- c) bulk export -----------------------------------------------------------------------------


def bulk(workdir: Path, people: int = 200, concurrency: int = 20) -> list[tuple[str, float, float]]:
    seed = workdir / "people.jsonl"
    write_seed(seed, people, 20)
    selectors = [f"coolbikes:rider:email:rider{p}@example.com" for p in range(1, people + 1)]
    results: list[tuple[str, float]] = []
    with sandbox(seed, "--latency", "0.05") as base:

        def sync(n: int) -> int:
            with zdevents.Client(base_url=base, email=EMAIL, api_token=TOKEN) as client:
                return sum(1 for _ in client.events_many(selectors, concurrency=n))

        def asynchronous(n: int) -> int:
            async def run() -> int:
                async with zdevents.AsyncClient(
                    base_url=base, email=EMAIL, api_token=TOKEN
                ) as client:
                    return sum([1 async for _ in client.events_many(selectors, concurrency=n)])

            return asyncio.run(run())

        for name, run, n in [
            ("sequential (concurrency 1)", sync, 1),
            (f"Client.events_many, {concurrency} threads", sync, concurrency),
            (f"AsyncClient.events_many, {concurrency} tasks", asynchronous, concurrency),
        ]:
            started = time.perf_counter()
            got = run(n)
            if got != people * 20:
                raise RuntimeError(f"{name} read {got} events, expected {people * 20}")
            results.append((name, time.perf_counter() - started))
    baseline = results[0][1]
    return [(name, seconds, baseline / seconds) for name, seconds in results]


# -- d) rate limit ------------------------------------------------------------------------------


def rate_limited(workdir: Path, limit: int = 600, seconds: float = 60.0) -> dict[str, float]:
    seed = workdir / "one-person.jsonl"
    write_seed(seed, 1, 8000)
    statuses: list[int] = []

    def count(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    with sandbox(seed, "--rate-limit", str(limit)) as base:
        http = httpx.Client(event_hooks={"response": [count]}, timeout=30)
        client = zdevents.Client(
            base_url=base, email=EMAIL, api_token=TOKEN, http_client=http, max_retries=10
        )
        started = time.monotonic()
        deadline = started + seconds
        while time.monotonic() < deadline:
            for page in client.events(user_id=1, page_size=5).pages():
                if time.monotonic() >= deadline:
                    break
                del page
        elapsed = time.monotonic() - started
        http.close()
    ok = sum(1 for s in statuses if s == 200)
    limited = sum(1 for s in statuses if s == 429)
    return {
        "seconds": elapsed,
        "requests": len(statuses),
        "answered 200": ok,
        "answered 429": limited,
        "share of the limit used": ok / (limit * elapsed / 60.0),
        "share answered 429": limited / max(1, len(statuses)),
    }


# -- report -------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; httpx {httpx.__version__}, "
        f"zdevents {zdevents.__version__}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    quick = args.quick
    lines = [
        f"Measured {dt.date.today().isoformat()} on {machine()}.",
        "",
        "| measurement | result | ratio | target |",
        "|---|---|---|---|",
    ]

    def emit(row: str) -> None:
        lines.append(row)
        print(row, flush=True)

    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        total = 20_000 if quick else 100_000
        rows = throughput(1 if quick else 3, total, workdir)
        targets = {1: "≥ 0.85× baseline", 3: "zdevents.Client ≥ 2× this"}
        for i, (name, rate, ratio) in enumerate(rows):
            emit(f"| a) {name} | {rate:,.0f} events/s | {ratio:.2f}× | {targets.get(i, '')} |")
        page_ratio = rows[1][1] / rows[3][1]
        emit(f"| a) zdevents.Client vs Zendesk's page approach | | {page_ratio:.1f}× | ≥ 2× |")

        small, big = (1_000, 50_000) if quick else (10_000, 1_000_000)
        rss_small, n_small = export_peak_rss(small, workdir)
        rss_big, n_big = export_peak_rss(big, workdir)
        if (n_small, n_big) != (small, big):
            raise RuntimeError(f"export wrote {n_small}/{n_big} lines, expected {small}/{big}")
        emit(
            f"| b) peak RSS, `zdevents events` to JSONL, {small:,} events | {rss_small:.1f} MB || |"
        )
        emit(
            f"| b) peak RSS, `zdevents events` to JSONL, {big:,} events | {rss_big:.1f} MB | "
            f"{rss_big / rss_small:.2f}× (+{rss_big - rss_small:.1f} MB) | < 100 MB, within 10 MB |"
        )

        people = 40 if quick else 200
        for i, (name, seconds, speedup) in enumerate(bulk(workdir, people)):
            target = "" if i == 0 else "≥ 12×"
            what = f"c) bulk export, {people} people, 50 ms latency: {name}"
            emit(f"| {what} | {seconds:.2f} s | {speedup:.1f}× | {target} |")

        rl = rate_limited(workdir, seconds=10.0 if quick else 60.0)
        emit(
            f"| d) {rl['seconds']:.0f} s under a limit of 600/min: share of the limit used | "
            f"{rl['answered 200']} pages | {rl['share of the limit used']:.2f} | ≥ 0.90 |"
        )
        emit(
            f"| d) same run: share of requests answered 429 | {rl['answered 429']} of "
            f"{rl['requests']} | {rl['share answered 429']:.3f} | < 0.01 |"
        )
    out = ROOT / ".bench" / "report.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"\nreport written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
