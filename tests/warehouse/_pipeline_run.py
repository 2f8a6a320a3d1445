"""One dlt pipeline run in a process of its own (``python -m tests.warehouse._pipeline_run
JSON``): for runs that are killed, and for credentials that come from dlt's secrets.

JSON: ``folder`` (the pipeline's folder and working directory), ``people``, ``client``
(``{"base_url", "email", "api_token"}``, or null: the source makes its client from dlt's
config and secrets), ``kill`` (``"extract"``: SIGKILL itself after ``after`` pages were
extracted; ``"normalize"``: after extracting and normalising, before loading; null: run to
the end). Prints the LoadReport as JSON on success.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any


def main(spec: dict[str, Any]) -> None:
    import zdevents
    from tests.warehouse._warehouse import pipeline
    from zdevents.dlt import LoadReport, zendesk_events

    folder = spec["folder"]
    os.chdir(folder)
    client = None if spec["client"] is None else zdevents.Client(**spec["client"])
    report = LoadReport()
    source = zendesk_events(spec["people"], client=client, report=report, concurrency=2)
    pipe = pipeline(__import__("pathlib").Path(folder))
    kill = spec.get("kill")
    if kill == "extract":
        pages = 0

        def die_after(item: Any) -> Any:
            nonlocal pages
            pages += 1
            if pages > spec["after"]:
                os.kill(os.getpid(), signal.SIGKILL)
            return item

        source.events.add_map(die_after)
    if kill == "normalize":
        pipe.extract(source)
        pipe.normalize()
        os.kill(os.getpid(), signal.SIGKILL)
    pipe.run(source)
    if client is not None:
        client.close()
    print(
        json.dumps(
            {"people": report.people, "events": report.events, "skipped": sorted(report.skipped)}
        )
    )


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
