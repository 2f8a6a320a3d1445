"""A fast loopback Events API for throughput benchmarks: pre-encoded pages, keep-alive.

The sandbox is the faithful server; this one is the fast one, so that a benchmark measures
the client, not the server. It serves ``/api/v2/users/{id}/events`` (any id) with TOTAL
realistic events in pages of ``page[size]`` (documented shape: links array + meta) and
accepts any credentials. Run: ``python scripts/bench_server.py TOTAL [CERT_PEM KEY_PEM]`` —
with a certificate it serves HTTPS, as Zendesk does. It prints its base URL on the first line
of stdout and serves until killed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import ssl
import sys
from urllib.parse import parse_qs, urlsplit

EPOCH = dt.date(1970, 1, 1).toordinal()
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(milliseconds: int, rng: random.Random) -> str:
    """A ULID's shape: 10 characters of time, 16 of randomness, Crockford base32."""
    value = (milliseconds << 80) | rng.getrandbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def realistic_event(i: int, rng: random.Random) -> dict[str, object]:
    """An event shaped like Zendesk's examples: a ULID, 9-digit timestamps, nesting."""
    second = 1_580_000_000 + i * 7
    day, rest = divmod(second, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    date = dt.date.fromordinal(EPOCH + day).isoformat()
    nanos = rng.randrange(10**9)
    stamp = f"{date}T{h:02d}:{m:02d}:{s:02d}.{nanos:09d}Z"
    return {
        "id": ulid(second * 1000 + nanos // 1_000_000, rng),
        "type": rng.choice(["bike_rental_booked", "page_view", "cart_abandoned", "login"]),
        "source": rng.choice(["coolbike", "shopify", "zendesk"]),
        "description": "Customer added item to shopping cart",
        "created_at": stamp,
        "received_at": stamp,
        "properties": {
            "booking_date": date,
            "return_date": date,
            "item": {"name": "Orange Nike Shoes", "price": "62.99", "sku": f"SKU-{i % 997}"},
            "shipping": {"address": {"city": "Lisbon", "zip": "1100-148", "country": "PT"}},
            "channel": "web",
            "session": f"s-{rng.randrange(10**12)}",
        },
    }


class Pages:
    """Page bodies, built on first request; kept when the export is small enough to cache."""

    def __init__(self, total: int, scheme: str) -> None:
        self.total = total
        self.scheme = scheme
        self.keep = total <= 200_000
        self.cache: dict[tuple[str, int, int], bytes] = {}

    def events(self, start: int, end: int) -> list[bytes]:
        return [
            json.dumps(realistic_event(i, random.Random(i))).encode() for i in range(start, end)
        ]

    def body(self, host: str, path: str, start: int, size: int) -> bytes:
        key = (path, start, size)
        cached = self.cache.get(key)
        if cached is None:
            end = min(start + size, self.total)
            more = end < self.total
            nxt = f"{self.scheme}://{host}{path}?page%5Bsize%5D={size}&page%5Bafter%5D={end}"
            nxt = nxt if more else ""
            tail = json.dumps({"next": nxt}), json.dumps(str(end) if more else None)
            cached = (
                b'{"events":['
                + b",".join(self.events(start, end))
                + b'],"links":['
                + tail[0].encode()
                + b'],"meta":{"has_more":'
                + (b"true" if more else b"false")
                + b',"after_cursor":'
                + tail[1].encode()
                + b"}}"
            )
            if self.keep:
                self.cache[key] = cached
        return cached


async def serve(pages: Pages, tls: ssl.SSLContext | None) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address, port = writer.get_extra_info("sockname")[:2]
        host = f"{address}:{port}"
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1].decode()
                url = urlsplit(target)
                query = parse_qs(url.query)
                start = int(query.get("page[after]", ["0"])[0])
                size = int(query.get("page[size]", ["100"])[0])
                body = pages.body(host, url.path, start, size)
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body) + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    print(f"{'https' if tls else 'http'}://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    context = None
    if len(sys.argv) > 3:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    asyncio.run(serve(Pages(total, "https" if context else "http"), context))
