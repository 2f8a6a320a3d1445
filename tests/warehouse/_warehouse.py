"""Helpers of the warehouse tests: people seeded into a sandbox, a dlt pipeline into a
DuckDB file of the test's own, and what that file holds."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

#: Why the warehouse tests are skipped when dlt is missing.
NO_DLT = "the dlt extra is not installed: pip install 'zdevents[dlt]' (make install does)"

BASE = dt.datetime(2024, 3, 1, 12, 0, 0)

#: A distinct email domain per call of :func:`people`, so that tests sharing one sandbox
#: never see each other's events.
_batch = itertools.count()


def stamp(moment: dt.datetime, nanos: int) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


class People:
    """A few people of one test: ``selector(n)``, ``add(n, minutes)`` to track events."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.domain = f"t{next(_batch)}.example.com"
        self.user_base = 10_000 * (1 + next(_batch))

    def selector(self, n: int) -> str:
        return f"shop:customer:email:p{n}@{self.domain}"

    def user_id(self, n: int) -> int:
        return self.user_base + n

    def add(self, n: int, minutes: list[float], *, type: str = "login") -> None:
        profile = {
            "source": "shop",
            "type": "customer",
            "identifiers": [{"type": "email", "value": f"p{n}@{self.domain}"}],
        }
        records = [
            {
                "profile": profile,
                "user_id": self.user_id(n),
                "event": {
                    "source": "shop",
                    "type": type,
                    "description": f"event {i}",
                    "created_at": stamp(BASE + dt.timedelta(minutes=m), 100_000_000 + i),
                    "properties": {"i": i, "price": 62.5, "name": "é", "tags": ["a", "b"]},
                },
            }
            for i, m in enumerate(minutes)
        ]
        self.sandbox.add_events(records)

    def served(self, n: int) -> dict[str, Any]:
        """The events the sandbox serves for person ``n``, by id."""
        return {e.id: e for e in self.sandbox.client.events(identifier=self.selector(n))}


def pipeline(tmp: Path, name: str = "zdevents") -> Any:
    """A dlt pipeline into ``tmp/NAME.duckdb``, its state under ``tmp/pipelines``."""
    import dlt

    return dlt.pipeline(
        pipeline_name=name,
        destination=dlt.destinations.duckdb(str(tmp / f"{name}.duckdb")),
        dataset_name="zendesk_events",
        pipelines_dir=str(tmp / "pipelines"),
    )


def load(
    pipe: Any, client: Any, people: list[Any] | None, *, only: tuple[str, ...] = (), **options: Any
) -> Any:
    """Run ``zendesk_events(people, client=client, **options)`` (only the resources
    ``only``, when given) through ``pipe``: the source's LoadReport."""
    from zdevents.dlt import LoadReport, zendesk_events

    report = LoadReport()
    source = zendesk_events(people, client=client, report=report, **options)
    pipe.run(source.with_resources(*only) if only else source)
    return report


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(sql).fetchall()


def events(database: Path) -> dict[str, tuple[Any, ...]]:
    """The events table: ``id -> (person, created_at_text, raw)``."""
    return {
        row[0]: row[1:]
        for row in query(
            database,
            "SELECT id, person, created_at_text, raw FROM zendesk_events.events",
        )
    }


def marks(pipe: Any) -> dict[str, int]:
    """The per-person marks in the pipeline's state."""
    state = pipe.state.get("sources", {}).get("zdevents", {}).get("resources", {})
    return dict(state.get("events", {}).get("marks", {}))
