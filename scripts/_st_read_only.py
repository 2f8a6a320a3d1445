"""schemathesis hooks for read-only runs: the rules of ``_st_hooks.py``, and no probes.

A read-only run (``_schemathesis_run.READ_ONLY_ENV``, what ``fuzz_live.py`` uses against a
real account) sends no capability probes: they are requests outside the spec's operations
(GET on the base URL with a NUL byte in a header, and GET /schemathesis-probe%5C%1B%01), and
schemathesis 4.32.5 has no setting that turns them off. Each probe is reported as skipped
instead of sent, so schemathesis keeps its defaults (it assumes the server accepts such
input, as when a probe cannot run).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from schemathesis.engine.run import probes

_RULES = Path(__file__).resolve().with_name("_st_hooks.py")
_spec = importlib.util.spec_from_file_location("_zdevents_st_hooks", _RULES)
assert _spec is not None and _spec.loader is not None
_spec.loader.exec_module(importlib.util.module_from_spec(_spec))


def _skip_probe(probe: probes.Probe, ctx: Any) -> probes.ProbeRun:
    return probes.ProbeRun(probe, probes.ProbeOutcome.SKIP)


probes.send = _skip_probe
