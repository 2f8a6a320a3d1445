"""Read-only contract check of a real Zendesk account against openapi/events.yaml.

    make fuzz URL=https://SUBDOMAIN.zendesk.com
    python scripts/fuzz_live.py https://SUBDOMAIN.zendesk.com [--max-examples N]

Credentials come from the environment: ZENDESK_EMAIL and ZENDESK_API_TOKEN, or
ZENDESK_OAUTH_TOKEN (a token with the users:read scope). Only GET requests to the spec's three
read routes are sent (no other methods, no schemathesis capability probes), paced by
--rate-limit to stay inside the account's per-minute budget. Not run in CI.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _schemathesis_run import Credentials, run_contract

# The run is read-only (run_contract's read_only): Zendesk serves POST (track an event) on
# /api/v2/user_profiles/events, so no other method is sent, and these checks, which expect a
# 405 for undeclared methods, are left out.
LIVE_EXCLUDED_CHECKS = ("unsupported_method", "allow_header_conformance")


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
    result = run_contract(
        args.url.rstrip("/"),
        credentials,
        max_examples=args.max_examples,
        seed=args.seed,
        extra_args=["--rate-limit", args.rate_limit],
        exclude_checks=LIVE_EXCLUDED_CHECKS,
        read_only=True,
        echo=True,
    )
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
