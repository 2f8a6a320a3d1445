"""schemathesis hooks for the rules of the API that its spec cannot say.

Loaded through ``SCHEMATHESIS_HOOKS`` by ``_schemathesis_run.py`` (the sandbox contract test
and ``fuzz_live.py``). Everything else a request must satisfy is in ``openapi/events.yaml``
itself, so that other tools generate and validate the same requests; a run without this
file fails only on these rules (``tests/contract/test_contract.py`` checks that, and
``docs/other-languages.md`` lists them with the reasons):

1. ``page[after]`` is an opaque cursor: only a string the server issued for the same query
   (operation, path parameters and filters; the page size may change) is valid. Every
   cursor seen in a response is remembered with its query; a positive case keeps
   ``page[after]`` only when it carries a cursor issued for its own query (which is how the
   stateful phase follows NextPage links).
2. ``filter[type]`` needs ``filter[source]`` (documented by Zendesk). One ``filter``
   parameter with ``style: deepObject`` and ``dependentRequired`` could say it, but
   openapi-python-client, which generates zdevents' client, ignores deepObject and would send
   ``type=...``: a positive case without a source loses its type.
3. OAuth clients, codes and refresh tokens are opaque values the server issued, like
   cursors, and scopes are those the client may have: a positive token request becomes a
   client-credentials grant of the configured confidential client (its ``expires_in``
   kept), and a positive authorization request names the configured public client, a
   loopback redirect and the ``read`` scope (``ZDEVENTS_ST_*``, set by
   ``_schemathesis_run.py`` for an OAuth run).
4. The incremental user export: ``cursor`` is opaque like ``page[after]`` (bound to the
   export alone), and a new export's ``start_time`` is required without a cursor and must
   be at least a minute in the past (a time relative to now, which no schema can say): a
   positive case keeps ``cursor`` only when the server issued it, and otherwise gets a
   ``start_time`` a day old if its own is missing or too recent.
5. A profile written by identifier query (PUT) is the query's: a positive case's body gets
   the query's ``source`` and ``type`` (a body naming another source or type is a
   conflict, 409, which says nothing about the rest of the request; a PATCH's are ignored).

Negative cases are left alone: they must still be rejected.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

import schemathesis

_ISSUED_CURSORS: set[tuple[str, str]] = set()
_PAGE_PARAMS = ("page[after]", "page[size]")


_USERS_EXPORT = "GET /api/v2/incremental/users/cursor"
#: A new export's start_time must be at least this old (seconds).
_EXPORT_LAG = 60


def _query_key(case: schemathesis.Case) -> str:
    """The query a cursor belongs to: operation, path parameters, filters."""
    if case.operation.label == _USERS_EXPORT:
        return _USERS_EXPORT  # the export's cursors page every user, whatever the start
    query = case.query if isinstance(case.query, dict) else {}
    return repr(
        (
            case.operation.label,
            sorted((str(k), str(v)) for k, v in (case.path_parameters or {}).items()),
            sorted((str(k), str(v)) for k, v in query.items() if k not in _PAGE_PARAMS),
        )
    )


@schemathesis.hook
def after_call(context: schemathesis.HookContext, case: schemathesis.Case, response: Any) -> None:
    """Remember the cursors the server hands out, with the query they were issued for."""
    if response.status_code != 200:
        return
    try:
        body = response.json()
        cursor = (
            body.get("after_cursor")
            if case.operation.label == _USERS_EXPORT
            else body.get("meta", {}).get("after_cursor")
        )
    except (ValueError, AttributeError):
        return
    if isinstance(cursor, str) and cursor:
        _ISSUED_CURSORS.add((_query_key(case), cursor))


_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")


def _make_oauth_valid(case: schemathesis.Case) -> bool:
    label = case.operation.label
    if label == "POST /oauth/tokens" and os.environ.get("ZDEVENTS_ST_CLIENT_ID"):
        body = case.body if isinstance(case.body, dict) else {}
        valid: dict[str, Any] = {
            "grant_type": "client_credentials",
            "client_id": os.environ["ZDEVENTS_ST_CLIENT_ID"],
            "client_secret": os.environ.get("ZDEVENTS_ST_CLIENT_SECRET", ""),
        }
        if isinstance(body.get("expires_in"), int) and not isinstance(body["expires_in"], bool):
            valid["expires_in"] = body["expires_in"]
        case.body = valid
        return True
    if label == "GET /oauth/authorizations/new" and os.environ.get("ZDEVENTS_ST_PUBLIC_CLIENT_ID"):
        query = case.query if isinstance(case.query, dict) else {}
        challenge = query.get("code_challenge")
        query.update(
            response_type="code",
            client_id=os.environ["ZDEVENTS_ST_PUBLIC_CLIENT_ID"],
            redirect_uri="http://127.0.0.1:47615/",
            scope="read",
            code_challenge_method="S256",
        )
        if not (isinstance(challenge, str) and _CHALLENGE.fullmatch(challenge)):
            query["code_challenge"] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        case.query = query
        return True
    return label.startswith(("POST /oauth/", "GET /oauth/"))


def _make_profile_valid(case: schemathesis.Case) -> None:
    query = case.query if isinstance(case.query, dict) else {}
    body = case.body if isinstance(case.body, dict) else {}
    profile = body.get("profile")
    identifier = query.get("identifier")
    if not (isinstance(profile, dict) and isinstance(identifier, str)):
        return
    parts = identifier.split(":", 3)
    # A query the body's own schema cannot take (the reserved source, over 40 characters)
    # is left for the server to answer.
    fits = len(parts) == 4 and parts[0] != "zendesk" and max(map(len, parts[:2])) <= 40
    if fits and "source" in profile and "type" in profile:
        profile["source"], profile["type"] = parts[0], parts[1]


def _make_valid(case: schemathesis.Case) -> None:
    if _make_oauth_valid(case):
        return
    if case.operation.method.upper() == "PUT":
        _make_profile_valid(case)
    query = case.query
    if not isinstance(query, dict):
        return
    if "filter[type]" in query and "filter[source]" not in query:
        del query["filter[type]"]
    if "page[after]" in query and (_query_key(case), query["page[after]"]) not in _ISSUED_CURSORS:
        del query["page[after]"]
    if case.operation.label == _USERS_EXPORT:
        if "cursor" in query and (_USERS_EXPORT, query["cursor"]) not in _ISSUED_CURSORS:
            del query["cursor"]
        start = query.get("start_time")
        latest = int(time.time()) - _EXPORT_LAG
        if "cursor" not in query and not (
            isinstance(start, int) and not isinstance(start, bool) and 0 <= start <= latest
        ):
            query["start_time"] = latest - 86_400


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Make generated positive cases valid by the rules above."""
    if case.meta is not None and case.meta.generation.mode.is_positive:
        _make_valid(case)
    return case


@schemathesis.hook
def before_add_examples(
    context: schemathesis.HookContext, examples: list[schemathesis.Case]
) -> None:
    """The spec's examples are positive cases too: the same rules apply to them."""
    for case in examples:
        if case.meta is None or case.meta.generation.mode.is_positive:
            _make_valid(case)
