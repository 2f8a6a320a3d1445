"""zdevents as a dlt source: people's events into DuckDB, Postgres, BigQuery, Snowflake, ...

Needs the extra: ``pip install 'zdevents[dlt]'``. Importing :mod:`zdevents` (or its command
line, or its sandbox) never imports dlt; importing this module does.

::

    import dlt
    from zdevents.dlt import zendesk_events

    pipeline = dlt.pipeline("zdevents", destination="duckdb", dataset_name="zendesk_events")
    info = pipeline.run(zendesk_events(["coolbikes:rider:email:jdoe@example.com",
                                        {"user_id": 85211553}]))

Three resources: ``people`` (one row a person), ``events`` (merged on ``id``, each person
incremental from their own high-water mark less an overlap, kept in dlt's resource state)
and ``profiles`` (merged on ``id``). See ``docs/warehouse.md``.
"""

from .._public import publish as _publish
from ._source import LoadReport, zendesk_events

__all__ = ["LoadReport", "zendesk_events"]

_publish(__name__, [globals()[name] for name in __all__])
