"""Contract check of a real Zendesk account against openapi/events.yaml, read-only by default.

    make fuzz URL=https://SUBDOMAIN.zendesk.com [WRITES=1]
    python scripts/fuzz_live.py https://SUBDOMAIN.zendesk.com [--max-examples N] [--writes]

Credentials come from the environment: ZENDESK_EMAIL and ZENDESK_API_TOKEN, or
ZENDESK_OAUTH_TOKEN (a token with the users:read scope). Only GET requests to the spec's six
read routes are sent (no other methods, no schemathesis capability probes), paced by
--rate-limit to stay inside the account's per-minute budget. --writes (make fuzz WRITES=1)
also sends the three track routes' POSTs, which store events in the account (and create
profiles and users) that only deleting those profiles removes; the run says so first. Not
run in CI.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _schemathesis_run import Credentials, run_contract

# No method the spec does not declare is sent (run_contract without probes: Zendesk serves
# DELETE /api/v2/user_profiles/{id}, which deletes a profile and its events), so these
# checks, which expect a 405 for undeclared methods, are left out.
LIVE_EXCLUDED_CHECKS = ("unsupported_method", "allow_header_conformance")

WRITES_BANNER = (
    "fuzz_live: WRITES=1: THIS RUN STORES EVENTS in {url}: it POSTs generated events to the "
    "three track routes, creating profiles (and Zendesk users) on the way. They cannot be "
    "deleted one by one; only deleting their profiles removes them."
)


def credentials_from_env() -> Credentials | None:
    """Credentials from ZENDESK_OAUTH_TOKEN, or ZENDESK_EMAIL with ZENDESK_API_TOKEN."""
    oauth = os.environ.get("ZENDESK_OAUTH_TOKEN")
    if oauth:
        return Credentials(oauth_token=oauth)
    email, token = os.environ.get("ZENDESK_EMAIL"), os.environ.get("ZENDESK_API_TOKEN")
    if email and token:
        return Credentials(email=email, api_token=token)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the account's base URL, e.g. https://SUBDOMAIN.zendesk.com")
    parser.add_argument("--max-examples", type=int, default=25, help="cases per operation")
    parser.add_argument("--seed", type=int, default=20200228, help="generation seed")
    parser.add_argument(
        "--rate-limit", default="150/m", help="request pace for schemathesis (default 150/m)"
    )
    parser.add_argument(
        "--writes",
        action="store_true",
        help="also POST to the track routes (stores events in the account)",
    )
    args = parser.parse_args(argv)
    credentials = credentials_from_env()
    if credentials is None:
        print(
            "fuzz_live: no credentials. Set ZENDESK_EMAIL and ZENDESK_API_TOKEN, "
            "or ZENDESK_OAUTH_TOKEN, in the environment.",
            file=sys.stderr,
        )
        return 2
    if not args.url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        print("fuzz_live: the URL must be https:// (credentials are sent)", file=sys.stderr)
        return 2
    if args.writes:
        print(WRITES_BANNER.format(url=args.url), file=sys.stderr, flush=True)
    result = run_contract(
        args.url.rstrip("/"),
        credentials,
        max_examples=args.max_examples,
        seed=args.seed,
        extra_args=["--rate-limit", args.rate_limit],
        exclude_checks=LIVE_EXCLUDED_CHECKS,
        writes=args.writes,
        probes=False,
        echo=True,
    )
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
