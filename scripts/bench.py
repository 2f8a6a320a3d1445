"""make bench: speed and memory of zdevents, as ratios against baselines measured alongside.

a) throughput over 100,000 realistic events at page size 100 from a fast loopback server, over
   plain HTTP and over HTTPS (a throwaway CA from trustme), pair by pair: each round runs the
   baseline and zdevents once each, order alternating, and the ratio is taken within the
   round; the median of 7 rounds is shown (and the lowest). zdevents.Client against a raw
   httpx.Client + json.loads loop, zdevents.AsyncClient against the same loop on
   httpx.AsyncClient, reading created_at against datetime.fromisoformat, one-event pages (the
   per-page overhead), the approach of Zendesk's "Accessing events" page (requests.get per
   page, no session), and `zdevents events -o FILE` against a hand-written exporter as whole
   processes;
b) peak RSS of `zdevents events` by /usr/bin/time -v (the export's own process): 300 against
   30,000 one-event pages, and 1,000,000 events;
c) bulk export of 200 people from the sandbox with 50 ms of added latency, sequential next
   to concurrent (threads and asyncio, concurrency 20 and 50);
d) one minute of 8 workers under the sandbox's rate limit of 600 a minute, and again at 6,000
   a minute: share of the limit the server announces that was used, share of requests
   answered 429, and how many requests went out before the limit was known.

Servers run in subprocesses so that they don't share the client's interpreter. Targets are
printed next to the results, never asserted: these machines are noisy. The report (markdown)
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
from collections.abc import AsyncIterator, Callable, Iterator
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


def raw_httpx(base: str, ca: str | bool, page_size: int = 100) -> int:
    """The baseline: the shortest loop a careful user would write with httpx."""

    def events() -> Iterator[dict[str, Any]]:
        with httpx.Client(auth=(f"{EMAIL}/token", TOKEN), verify=ca) as http:
            url: str | None = f"{base}/api/v2/users/1/events"
            params: dict[str, Any] | None = {"page[size]": page_size}
            while url:
                body = json.loads(http.get(url, params=params).content)
                yield from body["events"]
                url, params = body["links"][0]["next"] or None, None

    return sum(1 for _ in events())


def raw_httpx_async(base: str, ca: str | bool, page_size: int = 100) -> int:
    """The asyncio baseline: the same loop on httpx.AsyncClient, an async generator of events
    as the sync baseline is a generator."""

    async def events() -> AsyncIterator[dict[str, Any]]:
        async with httpx.AsyncClient(auth=(f"{EMAIL}/token", TOKEN), verify=ca) as http:
            url: str | None = f"{base}/api/v2/users/1/events"
            params: dict[str, Any] | None = {"page[size]": page_size}
            while url:
                body = json.loads((await http.get(url, params=params)).content)
                for event in body["events"]:
                    yield event
                url, params = body["links"][0]["next"] or None, None

    async def run() -> int:
        return sum([1 async for _ in events()])

    return asyncio.run(run())


def raw_httpx_created_at(base: str, ca: str | bool, page_size: int = 100) -> int:
    """The baseline that also reads each event's time."""
    with httpx.Client(auth=(f"{EMAIL}/token", TOKEN), verify=ca) as http:
        url: str | None = f"{base}/api/v2/users/1/events"
        params: dict[str, Any] | None = {"page[size]": page_size}
        count = 0
        while url:
            body = json.loads(http.get(url, params=params).content)
            for event in body["events"]:
                dt.datetime.fromisoformat(event["created_at"])
                count += 1
            url, params = body["links"][0]["next"] or None, None
    return count


def zdevents_sync(base: str, ca: str | bool, page_size: int = 100) -> int:
    with zdevents.Client(base_url=base, email=EMAIL, api_token=TOKEN, verify=ca) as client:
        return sum(1 for _ in client.events(user_id=1, page_size=page_size))


def zdevents_created_at(base: str, ca: str | bool, page_size: int = 100) -> int:
    with zdevents.Client(base_url=base, email=EMAIL, api_token=TOKEN, verify=ca) as client:
        count = 0
        for event in client.events(user_id=1, page_size=page_size):
            event.created_at  # noqa: B018
            count += 1
        return count


def zdevents_async(base: str, ca: str | bool, page_size: int = 100) -> int:
    async def run() -> int:
        async with zdevents.AsyncClient(
            base_url=base, email=EMAIL, api_token=TOKEN, verify=ca
        ) as client:
            return sum([1 async for _ in client.events(user_id=1, page_size=page_size)])

    return asyncio.run(run())


def accessing_events_page(base: str, ca: str | bool, page_size: int = 100) -> int:
    """As on Zendesk's page: requests.get with auth per request, no session."""
    count = 0
    url: str | None = f"{base}/api/v2/users/1/events"
    params: dict[str, Any] | None = {"page[size]": page_size}
    while url:
        response = requests.get(
            url, params=params, auth=(f"{EMAIL}/token", TOKEN), timeout=30, verify=ca
        )
        body = response.json()
        count += sum(1 for _ in body["events"])
        url, params = body["links"][0]["next"] or None, None
    return count


Runner = Callable[[str, "str | bool", int], int]


def paired(
    base: str,
    ca: str | bool,
    pairs: list[tuple[str, Runner, Runner]],
    rounds: int,
    total: int,
    page_size: int = 100,
) -> list[tuple[str, float, float, float]]:
    """For each (name, baseline, candidate): both run once a round, in alternating order;
    the ratio of their rates is taken within the round. Returns the name, the median rate
    of the candidate, its median ratio and the lowest ratio of the rounds."""
    ratios: dict[str, list[float]] = {name: [] for name, _, _ in pairs}
    rates: dict[str, list[float]] = {name: [] for name, _, _ in pairs}
    for r in range(rounds):
        for name, baseline, candidate in pairs:
            order = [baseline, candidate] if r % 2 == 0 else [candidate, baseline]
            got: dict[Runner, float] = {}
            for run in order:
                started = time.perf_counter()
                n = run(base, ca, page_size)
                elapsed = time.perf_counter() - started
                if n != total:
                    raise RuntimeError(f"{name}: read {n} events, expected {total}")
                got[run] = n / elapsed
            ratios[name].append(got[candidate] / got[baseline])
            rates[name].append(got[candidate])
    return [
        (name, statistics.median(rates[name]), statistics.median(ratios[name]), min(ratios[name]))
        for name, _, _ in pairs
    ]


def throughput(rounds: int, total: int, workdir: Path, tls: TLS | None) -> list[str]:
    pairs: list[tuple[str, Runner, Runner]] = [
        ("zdevents.Client vs raw httpx.Client + json.loads", raw_httpx, zdevents_sync),
        ("zdevents.AsyncClient vs raw httpx.AsyncClient + json.loads", raw_httpx_async,
         zdevents_async),
        ("reading created_at: zdevents.Client vs raw httpx + datetime.fromisoformat",
         raw_httpx_created_at, zdevents_created_at),
    ]  # fmt: skip
    targets = ["≥ 1.10×", "≥ 1.00×", "≥ 1.00×"]
    scheme = "HTTPS" if tls else "HTTP"
    rows = []
    with fast_server(total, tls) as base:
        ca: str | bool = str(tls.ca) if tls else False
        raw_httpx(base, ca)  # warm the server's page cache
        for (name, rate, ratio, low), target in zip(
            paired(base, ca, pairs, rounds, total), targets, strict=True
        ):
            rows.append(
                f"| a) {scheme}, {total:,} events, pages of 100: {name} | {rate:,.0f} events/s | "
                f"{ratio:.2f}× (lowest {low:.2f}×) | {target} |"
            )
        if tls:
            page_pairs: list[tuple[str, Runner, Runner]] = [
                ("zdevents.Client vs requests.get per page, no session (Zendesk's page)",
                 accessing_events_page, zdevents_sync),
            ]  # fmt: skip
            for name, rate, ratio, low in paired(base, ca, page_pairs, max(3, rounds // 2), total):
                rows.append(
                    f"| a) {scheme}: {name} | {rate:,.0f} events/s | {ratio:.1f}× "
                    f"(lowest {low:.1f}×) | ≥ 2× |"
                )
    # Per-page overhead: one event a page, so that the page is everything.
    small = max(500, total // 50)
    with fast_server(small, tls) as base:
        ca = str(tls.ca) if tls else False
        pairs = [("per page: zdevents.Client vs raw httpx, 1-event pages", raw_httpx,
                  zdevents_sync)]  # fmt: skip
        for name, rate, ratio, low in paired(base, ca, pairs, rounds, small, page_size=1):
            rows.append(
                f"| a) {scheme}, {small:,} pages: {name} | {rate:,.0f} pages/s | "
                f"{ratio:.2f}× (lowest {low:.2f}×) | ≥ 1.00× |"
            )
    return rows


def created_at_cost(workdir: Path) -> str:
    """Microseconds to read ``created_at`` of a fresh event (its first field read) and of an
    event already read once, next to ``datetime.fromisoformat`` of the same text."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import random

    from bench_server import realistic_event

    rng = random.Random(1)
    texts = [json.dumps(realistic_event(i, rng)).encode() for i in range(20_000)]
    stamps = [json.loads(t)["created_at"] for t in texts]

    events = [zdevents.Event(t) for t in texts]
    for e in events:
        e.type  # noqa: B018  # the first field read decodes the event's fields once

    def took(run: Callable[[], object]) -> float:
        started = time.perf_counter()
        run()
        return (time.perf_counter() - started) / len(texts) * 1e6

    # Paired, as everywhere: the three in turn each round, order alternating.
    runs: list[Callable[[], object]] = [
        lambda: [dt.datetime.fromisoformat(s) for s in stamps],
        lambda: [zdevents.Event(t).created_at for t in texts],
        lambda: [e.created_at for e in events],
    ]
    rounds: list[tuple[float, float, float]] = []
    for r in range(9):
        order = range(3) if r % 2 == 0 else range(2, -1, -1)
        got = {i: took(runs[i]) for i in order}
        rounds.append((got[0], got[1], got[2]))
    iso, fresh, again = (statistics.median(x[i] for x in rounds) for i in range(3))
    ratio = statistics.median(x[2] / x[0] for x in rounds)
    return (
        f"| a) reading `created_at`: first field read of an event / once its fields are read / "
        f"`datetime.fromisoformat` | {fresh:.2f} / {again:.2f} / {iso:.2f} µs | "
        f"{ratio:.2f}× fromisoformat once read | ≤ fromisoformat + a little |"
    )


# -- b) memory ----------------------------------------------------------------------------------


def export_peak_rss(total: int, page_size: int, workdir: Path) -> tuple[float, int]:
    """Peak RSS in MB of a `zdevents events` export of ``total`` events, and lines written,
    measured by /usr/bin/time -v: the export's own process, not the bench's fork of itself."""
    output = workdir / f"export-{total}.jsonl"
    with fast_server(total) as base:
        env = {
            **os.environ,
            "ZENDESK_BASE_URL": base,
            "ZENDESK_EMAIL": EMAIL,
            "ZENDESK_API_TOKEN": TOKEN,
        }
        exe = Path(sys.executable).with_name("zdevents")
        done = subprocess.run(
            ["/usr/bin/time", "-v", str(exe), "events", "--user-id", "1", "--format", "jsonl",
             "--page-size", str(page_size), "--output", str(output), "--quiet"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"zdevents events exited {done.returncode}: {done.stderr[-500:]}")
    kib = next(
        int(line.rsplit(":", 1)[1])
        for line in done.stderr.splitlines()
        if "Maximum resident set size" in line
    )
    with output.open("rb") as f:
        lines = sum(1 for _ in f)
    output.unlink()
    return kib / 1024, lines


def export_rate(total: int, workdir: Path, rounds: int) -> tuple[float, float, float]:
    """`zdevents events -o FILE` against a hand-written exporter, whole processes."""
    hand = workdir / "hand_exporter.py"
    hand.write_text(HAND_EXPORTER)
    exe = Path(sys.executable).with_name("zdevents")
    ratios, rates = [], []
    with fast_server(total) as base:
        env = {**os.environ, "ZENDESK_BASE_URL": base, "ZENDESK_EMAIL": EMAIL,
               "ZENDESK_API_TOKEN": TOKEN}  # fmt: skip
        commands = {
            "zdevents": [str(exe), "events", "--user-id", "1", "-o", str(workdir / "z.jsonl"),
                         "--quiet"],
            "hand": [sys.executable, str(hand), base, str(workdir / "h.jsonl")],
        }  # fmt: skip
        subprocess.run(commands["hand"], env=env, check=True)  # warm the page cache
        for r in range(rounds):
            took = {}
            for name in ["zdevents", "hand"] if r % 2 == 0 else ["hand", "zdevents"]:
                started = time.perf_counter()
                subprocess.run(commands[name], env=env, check=True)
                took[name] = time.perf_counter() - started
            for name in ("z.jsonl", "h.jsonl"):
                with (workdir / name).open("rb") as f:
                    if sum(1 for _ in f) != total:
                        raise RuntimeError(f"{name}: wrong number of lines")
            ratios.append(took["hand"] / took["zdevents"])
            rates.append(total / took["zdevents"])
    return statistics.median(rates), statistics.median(ratios), min(ratios)


HAND_EXPORTER = f"""
import json, sys, httpx
base, out = sys.argv[1], sys.argv[2]
with httpx.Client(auth=("{EMAIL}/token", "{TOKEN}")) as http, open(out, "w") as f:
    url, params = base + "/api/v2/users/1/events", {{"page[size]": 100}}
    while url:
        body = json.loads(http.get(url, params=params).content)
        for event in body["events"]:
            f.write(json.dumps(event) + "\\n")
        url, params = body["links"][0]["next"] or None, None
"""


# -- c) bulk export -----------------------------------------------------------------------------


def bulk(workdir: Path, people: int = 200) -> list[tuple[str, float, float]]:
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
            ("Client.events_many, 20 threads", sync, 20),
            ("Client.events_many, 50 threads", sync, 50),
            ("AsyncClient.events_many, 20 tasks", asynchronous, 20),
            ("AsyncClient.events_many, 50 tasks", asynchronous, 50),
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
    """An export of 8 people at once under the sandbox's limit: the share of the limit the
    server announces that was used, the 429s, and how many requests went out before the
    first answer announced the limit (the start-up burst of the workers)."""
    people = 8
    seed = workdir / f"limited-{limit}.jsonl"
    write_seed(seed, people, 4000)
    selectors = [{"user_id": p} for p in range(1, people + 1)]
    lock = threading.Lock()
    statuses: list[int] = []
    sent = 0
    before_known: int | None = None
    announced: int | None = None

    def on_request(request: httpx.Request) -> None:
        nonlocal sent
        with lock:
            sent += 1

    def on_response(response: httpx.Response) -> None:
        nonlocal before_known, announced
        with lock:
            statuses.append(response.status_code)
            if before_known is None and "x-rate-limit" in response.headers:
                before_known = sent
                announced = int(response.headers["x-rate-limit"])

    with sandbox(seed, "--rate-limit", str(limit)) as base:
        http = httpx.Client(
            event_hooks={"request": [on_request], "response": [on_response]}, timeout=30
        )
        client = zdevents.Client(
            base_url=base, email=EMAIL, api_token=TOKEN, http_client=http, max_retries=10
        )
        started = time.monotonic()
        deadline = started + seconds
        pairs = client.events_many(selectors, concurrency=people, page_size=5)
        for _ in pairs:
            if time.monotonic() >= deadline:
                break
        close = getattr(pairs, "close", None)
        if close is not None:
            close()
        elapsed = time.monotonic() - started
        http.close()
    ok = sum(1 for s in statuses if s == 200)
    limited = sum(1 for s in statuses if s == 429)
    per_minute = announced or limit
    return {
        "seconds": elapsed,
        "requests": len(statuses),
        "answered 200": ok,
        "answered 429": limited,
        "announced": per_minute,
        "share of the limit used": ok / (per_minute * elapsed / 60.0),
        "share answered 429": limited / max(1, len(statuses)),
        "sent before the limit was known": before_known or 0,
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
    parser.add_argument(
        "--rows", default="abcd", help="the rows to run, e.g. cd (default: all of abcd)"
    )
    args = parser.parse_args()
    quick = args.quick
    rows = set(args.rows)
    load = os.getloadavg()[0]
    lines = [
        f"Measured {dt.date.today().isoformat()} on {machine()}; a shared machine (load "
        f"average {load:.1f} at the start), so ratios are taken pair by pair within each "
        "round, order alternating, and the median of the rounds is shown.",
        "",
        "| measurement | result | ratio (median of rounds) | target |",
        "|---|---|---|---|",
    ]

    def emit(row: str) -> None:
        lines.append(row)
        print(row, flush=True)

    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        total = 20_000 if quick else 100_000
        rounds = 3 if quick else 7
        if "a" in rows:
            throughput_rows(workdir, total, rounds, emit)
        if "b" in rows:
            memory_rows(workdir, quick, emit)
        if "c" in rows:
            bulk_rows(workdir, quick, emit)
        if "d" in rows:
            rate_rows(workdir, quick, emit)
    out = ROOT / ".bench" / "report.md"
    out.parent.mkdir(exist_ok=True)
    if rows != set("abcd") and out.exists():
        # Some rows only: the other rows of the last report stay (each has its letter).
        kept = [
            line
            for line in out.read_text().splitlines()
            if line.startswith("| ") and line[2:3] in set("abcd") - rows and line[3:4] == ")"
        ]
        lines.extend(kept)
        lines[4:] = sorted(lines[4:], key=lambda line: line[2:3])
    out.write_text("\n".join(lines) + "\n")
    print(f"\nreport written to {out.relative_to(ROOT)}")
    return 0


def throughput_rows(workdir: Path, total: int, rounds: int, emit: Callable[[str], None]) -> None:
    tls = TLS(workdir)
    for transport in (None, tls):
        for row in throughput(rounds, total, workdir, transport):
            emit(row)
    emit(created_at_cost(workdir))
    rate, ratio, low = export_rate(total, workdir, rounds)
    emit(
        f"| a) `zdevents events -o FILE` vs a hand-written exporter (httpx + json.loads + "
        f"json.dumps a line), whole processes, {total:,} events | {rate:,.0f} events/s | "
        f"{ratio:.2f}× (lowest {low:.2f}×) | ≥ 1.30× |"
    )


def memory_rows(workdir: Path, quick: bool, emit: Callable[[str], None]) -> None:
    few, many = (100, 3_000) if quick else (300, 30_000)
    big = 50_000 if quick else 1_000_000
    rss_few, n_few = export_peak_rss(few, 1, workdir)
    rss_many, n_many = export_peak_rss(many, 1, workdir)
    rss_big, n_big = export_peak_rss(big, 100, workdir)
    if (n_few, n_many, n_big) != (few, many, big):
        raise RuntimeError(f"export wrote {n_few}/{n_many}/{n_big} lines")
    emit(
        f"| b) peak RSS (`/usr/bin/time -v`), `zdevents events` to JSONL: {few:,} one-event "
        f"pages / {many:,} one-event pages | {rss_few:.1f} / {rss_many:.1f} MB | "
        f"{rss_many - rss_few:+.1f} MB | ≤ +4 MB |"
    )
    emit(
        f"| b) peak RSS, `zdevents events` to JSONL, {big:,} events in pages of 100 | "
        f"{rss_big:.1f} MB | | < 60 MB |"
    )


def bulk_rows(workdir: Path, quick: bool, emit: Callable[[str], None]) -> None:
    people = 40 if quick else 200
    results = bulk(workdir, people)
    threads = {n: s for n, _, s in results if "threads" in n}
    for i, (name, seconds, speedup) in enumerate(results):
        target = "" if i == 0 else "≥ 12×"
        if "tasks" in name:
            same = name.replace("AsyncClient", "Client").replace("tasks", "threads")
            target = f"≥ threads ({threads[same]:.1f}×)"
        what = f"c) bulk export, {people} people, 50 ms latency: {name}"
        emit(f"| {what} | {seconds:.2f} s | {speedup:.1f}× | {target} |")


def rate_rows(workdir: Path, quick: bool, emit: Callable[[str], None]) -> None:
    for limit in (600, 6_000):
        rl = rate_limited(workdir, limit=limit, seconds=15.0 if quick else 60.0)
        emit(
            f"| d) {rl['seconds']:.0f} s, 8 workers, under a limit the server announces as "
            f"{rl['announced']:.0f}/min: share of it used | {rl['answered 200']} pages | "
            f"{rl['share of the limit used']:.3f} | ≥ 0.95 |"
        )
        emit(
            f"| d) same run: requests answered 429 | {rl['answered 429']} of "
            f"{rl['requests']} | {rl['share answered 429']:.3f} | < 0.01 |"
        )
        emit(
            f"| d) same run: requests sent before the first answer announced the limit | "
            f"{rl['sent before the limit was known']} | | as few as the workers (8) |"
        )


if __name__ == "__main__":
    sys.exit(main())
