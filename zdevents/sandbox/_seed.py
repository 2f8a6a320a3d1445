"""Seed data: JSONL files of track-event records, the built-in ``demo`` data set, and
``scale:N``: N people of two events each, bulk-inserted (a large account in seconds)."""

from __future__ import annotations

import os
import random
import stat
import threading
from typing import Any

from ._ids import new_ulid
from ._nanos import format_ns, parse_datetime_ns
from ._records import EventRecord, RecordError, load_json, parse_record
from ._store import Store

#: ``scale:N``: N people (users with one profile and two events each), 1..SCALE_MAX.
SCALE_PREFIX = "scale:"
SCALE_MAX = 10_000_000
SCALE_EVENTS_EACH = 2

# How often the main thread wakes while a helper thread reads a pipe: a signal that arrives
# just before a blocking call is handled at the next wake at the latest.
_WAKE_SECONDS = 0.1


class SeedError(ValueError):
    """A seed that cannot be loaded; ``line`` is the 1-based line number when known."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _read_bytes(name: str) -> bytes:
    with open(name, "rb") as file:
        return file.read()


def _read_interruptibly(name: str) -> bytes:
    """The file's bytes; a pipe or FIFO is read in a helper thread.

    Reading a pipe blocks until its writer sends data or closes it, and a signal that lands
    just before the blocking read does not interrupt it: Python would run the handler (and
    Ctrl-C would take effect) only when data arrives. The main thread therefore waits with a
    timeout, which lets handlers run; the helper is a daemon, so an interrupted load does not
    keep the process alive.
    """
    try:
        mode = os.stat(name).st_mode
    except OSError:
        mode = 0
    if stat.S_ISREG(mode) or not mode:
        return _read_bytes(name)
    result: list[bytes] = []
    failure: list[OSError] = []
    done = threading.Event()

    def read() -> None:
        try:
            result.append(_read_bytes(name))
        except OSError as exc:
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=read, name="zdevents-sandbox-seed", daemon=True).start()
    while not done.wait(_WAKE_SECONDS):
        pass
    if failure:
        raise failure[0]
    return result[0]


def read_jsonl(path: str | os.PathLike[str]) -> list[tuple[int, EventRecord]]:
    """Parse and validate every line of a JSONL seed file (blank lines are skipped).

    Raises ``SeedError`` naming the first bad line; nothing is stored by this function, so a
    caller that stores the result in one transaction never half-loads a file. A pipe or FIFO
    is read to its end, interruptibly (Ctrl-C stops the load).
    """
    name = os.fspath(path)
    records: list[tuple[int, EventRecord]] = []
    try:
        text = _read_interruptibly(name).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{name}: cannot read seed file: {exc}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, parse_record(load_json(line))))
        except RecordError as exc:
            raise SeedError(f"{name}: line {number}: {exc.message}", line=number) from None
    return records


def load_seed(seed: str | os.PathLike[str]) -> list[tuple[int, EventRecord]]:
    """Validated ``(line number, record)`` pairs for ``seed``: ``"demo"`` or a JSONL path."""
    if os.fspath(seed) == "demo":
        return [(number, parse_record(r)) for number, r in enumerate(demo_records(), start=1)]
    return read_jsonl(seed)


def scale_size(seed: str | os.PathLike[str]) -> int | None:
    """N of a ``scale:N`` seed, or ``None`` for another seed (a ``SeedError`` if N is bad)."""
    text = os.fspath(seed)
    if not isinstance(text, str) or not text.startswith(SCALE_PREFIX):
        return None
    count = text[len(SCALE_PREFIX) :].replace("_", "").replace(",", "")
    if not count.isascii() or not count.isdigit() or not 1 <= int(count) <= SCALE_MAX:
        raise SeedError(
            f"{text}: scale:N needs a number of people N from 1 to {SCALE_MAX:,} (e.g. scale:50000)"
        )
    return int(count)


def seed_store(store: Store, seed: str | os.PathLike[str]) -> int:
    """Load ``seed`` into ``store`` in one transaction; return the number of records.

    ``scale:N`` adds N new users (consecutive user ids, the first one past every user id
    stored, 1000001 in a new sandbox), each with one profile (source ``scale``, type
    ``person``, email ``person<user id>@scale.example``) and two events, by bulk inserts.

    Raises ``SeedError`` naming the line of the first record that cannot be stored, whether
    the problem is in the line itself or a conflict with data already stored (such as an
    event id already taken by a different event). Loading a seed again skips the events
    whose id is already stored with the same content; events without an ``id`` get a new
    one on every load, so they are stored again each time.
    """
    people = scale_size(seed)
    if people is not None:
        store.add_scale(people, SCALE_EVENTS_EACH)
        return people * SCALE_EVENTS_EACH
    numbered = load_seed(seed)
    try:
        store._add_parsed([record for _, record in numbered], create_users=True)
    except RecordError as exc:
        line = numbered[exc.index][0] if exc.index is not None else None
        raise SeedError(f"{os.fspath(seed)}: line {line}: {exc.message}", line=line) from None
    return len(numbered)


# -- the demo data set -------------------------------------------------------------------------

_JDOE_PROFILE_ID = "01E1G0NJSQPNPZRV096JXKXFAA"
_JDOE_USER_ID = 85211553

# The example of Zendesk's "Accessing events" guide, verbatim (key order included).
_ACCESSING_EVENTS_EXAMPLE: dict[str, Any] = {
    "id": "01E24ET0G1PHQ8QVNYRYM4QT8K",
    "type": "bike_rental_booked",
    "source": "coolbike",
    "description": "Customer added item to shopping cart",
    "created_at": "2020-02-28T18:13:28.175841347Z",
    "received_at": "2020-02-28T18:13:28.175842838Z",
    "properties": {"booking_date": "2020-02-01", "return_date": "2020-02-05"},
}

# (user id, email, [(profile source, profile type, extra identifiers)])
_PEOPLE: list[tuple[int, str, list[tuple[str, str, list[tuple[str, str]]]]]] = [
    (
        _JDOE_USER_ID,
        "jdoe@example.com",
        [
            ("coolbikes", "rider", [("coolbike_id", "CB-1001")]),
            ("shoppingnow", "customer", [("external_id", "SN-77001")]),
        ],
    ),
    (85211554, "asmith@example.com", [("coolbikes", "rider", [("coolbike_id", "CB-1002")])]),
    (
        85211555,
        "bwong@example.com",
        [
            ("coolbikes", "rider", [("coolbike_id", "CB-1003")]),
            ("shoppingnow", "customer", [("external_id", "SN-77002")]),
        ],
    ),
    (85211556, "cgarcia@example.com", [("shoppingnow", "customer", [])]),
    (85211557, "dlee+bikes@example.com", [("coolbikes", "rider", [("coolbike_id", "CB-1004")])]),
    (
        85211558,
        "e.mueller@example.com",
        [("coolbikes", "rider", [("website", "https://example.com/riders:e.mueller")])],
    ),
    (
        85211559,
        "fnakamura@example.com",
        [("shoppingnow", "customer", [("phone_number", "+15551230009")])],
    ),
]

_EVENT_KINDS: dict[str, list[tuple[str, str, str]]] = {
    # profile source -> [(event source, event type, description)]
    "coolbikes": [
        ("coolbike", "bike_rental_booked", "Customer booked a bike rental"),
        ("coolbike", "bike_rental_returned", "Customer returned a rented bike"),
        ("coolbike", "bike_viewed", "Customer viewed a bike"),
        ("website", "page_view", "Page viewed"),
    ],
    "shoppingnow": [
        ("shopify", "cart_abandoned", "Shopping cart abandoned"),
        ("shopify", "order_placed", "Order placed"),
        ("website", "page_view", "Page viewed"),
    ],
}

_BIKES = ["Orange Cruiser", "Trail 29er", "City Commuter", "Kids Balance Bike", "E-Bike Pro"]
_ITEMS = [("Orange Nike Shoes", "62.99"), ("Bike Helmet", "39.50"), ("Water Bottle", "8.00")]
_NS = 1_000_000_000
_START_2020 = parse_datetime_ns("2020-01-01T00:00:00Z") or 0
_END_JUNE = parse_datetime_ns("2020-06-30T23:59:59Z") or 0


def _properties(event_type: str, rng: random.Random, created_ns: int) -> dict[str, Any]:
    day = format_ns(created_ns)[:10]
    if event_type == "bike_rental_booked":
        return {"booking_date": day, "return_date": format_ns(created_ns + 4 * 86400 * _NS)[:10]}
    if event_type == "bike_rental_returned":
        return {"return_date": day, "condition": rng.choice(["good", "scratched", "flat tyre"])}
    if event_type == "bike_viewed":
        return {"model": rng.choice(_BIKES), "price": f"{rng.randint(15, 60)}.00"}
    if event_type == "cart_abandoned":
        name, price = rng.choice(_ITEMS)
        return {"item": {"name": name, "price": price}}
    if event_type == "order_placed":
        return {"order_id": f"SO-{rng.randint(10000, 99999)}", "total": f"{rng.randint(5, 300)}.99"}
    return {"url": f"https://example.com/{rng.choice(['bikes', 'rentals', 'shop', 'help'])}"}


def _timestamp(ns: int, style: int) -> str:
    """Zendesk sends 9, 8, 3 or no fractional digits; the demo mixes them."""
    full = format_ns(ns)
    if style == 0:
        return full[:19] + "Z"
    if style == 1:
        return full[:23] + "Z"
    return full


def _event(
    rng: random.Random,
    kind: tuple[str, str, str],
    created_ns: int,
    style: int,
    **extra: Any,
) -> dict[str, Any]:
    source, event_type, description = kind
    received_ns = created_ns + rng.randint(50_000_000, 2 * _NS)
    event: dict[str, Any] = {
        "id": new_ulid(ms=created_ns // 1_000_000, rng=rng),
        "type": event_type,
        "source": source,
        "description": description,
        "created_at": _timestamp(created_ns, style),
        "received_at": format_ns(received_ns),
        "properties": _properties(event_type, rng, created_ns),
    }
    event.update(extra)
    return event


def _jdoe_week(rng: random.Random, profile: dict[str, Any]) -> list[dict[str, Any]]:
    """Events in 2020-02-23..29 so the guide's date filter shows several, boundaries included."""
    kinds = {kind[1]: kind for kind in _EVENT_KINDS["coolbikes"]}
    week: list[tuple[str, str, dict[str, Any]]] = [
        ("2020-02-23T00:00:00Z", "page_view", {}),
        ("2020-02-24T12:00:00.123Z", "bike_viewed", {}),
        ("2020-02-26T17:45:12.98765432Z", "bike_viewed", {}),
        ("2020-02-27T08:30:41.987654321Z", "bike_viewed", {"channel": "mobile_app"}),
        ("2020-02-29T23:59:59.999999999Z", "bike_rental_returned", {}),
    ]
    records = []
    for created_at, event_type, extra in week:
        created_ns = parse_datetime_ns(created_at) or 0
        event = _event(rng, kinds[event_type], created_ns, 2, **extra)
        event["created_at"] = created_at
        records.append({"profile": profile, "event": event, "user_id": _JDOE_USER_ID})
    records.append(
        {"profile": profile, "event": dict(_ACCESSING_EVENTS_EXAMPLE), "user_id": _JDOE_USER_ID}
    )
    # One event in the Events API reference's own style: a numeric offset instead of Z.
    reference_style = _event(
        rng, kinds["page_view"], parse_datetime_ns("2020-01-31T00:44:07Z") or 0, 0
    )
    reference_style["created_at"] = "2020-01-31T00:44:07+00:00"
    records.append({"profile": profile, "event": reference_style, "user_id": _JDOE_USER_ID})
    return records


def demo_records() -> list[dict[str, Any]]:
    """The ``demo`` data set: a few hundred events of seven people over January-June 2020.

    It contains the example of Zendesk's "Accessing events" guide exactly: identifier
    ``coolbikes:rider:email:jdoe@example.com``, profile ``01E1G0NJSQPNPZRV096JXKXFAA`` of
    user ``85211553`` and event ``01E24ET0G1PHQ8QVNYRYM4QT8K``. The data is generated from a
    fixed random seed, so every run produces the same records in the same order (oldest first).
    """
    rng = random.Random(20200228)
    records: list[dict[str, Any]] = []
    for user_id, email, profiles in _PEOPLE:
        for source, ptype, extra_identifiers in profiles:
            profile: dict[str, Any] = {
                "source": source,
                "type": ptype,
                "identifiers": [{"type": "email", "value": email}]
                + [{"type": t, "value": v} for t, v in extra_identifiers],
            }
            is_jdoe_rider = user_id == _JDOE_USER_ID and source == "coolbikes"
            profile["id"] = (
                _JDOE_PROFILE_ID
                if is_jdoe_rider
                else new_ulid(ms=_START_2020 // 1_000_000, rng=rng)
            )
            if is_jdoe_rider:
                records.extend(_jdoe_week(rng, profile))
            for _ in range(rng.randint(20, 45)):
                created_ns = rng.randint(_START_2020, _END_JUNE)
                if is_jdoe_rider and "2020-02-23" <= format_ns(created_ns)[:10] <= "2020-02-29":
                    continue  # that week holds exactly the hand-written events above
                kind = rng.choice(_EVENT_KINDS[source])
                records.append(
                    {
                        "profile": profile,
                        "event": _event(rng, kind, created_ns, rng.randrange(3)),
                        "user_id": user_id,
                    }
                )
    records.sort(key=lambda record: parse_datetime_ns(record["event"]["created_at"]) or 0)
    return records
