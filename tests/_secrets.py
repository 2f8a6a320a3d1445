"""The credentials the secret-scrubbing tests use, and the spellings of them a hostile or
careless server echoes (tests/library/test_secrets.py, tests/cli/test_cli_track_files.py)."""

from __future__ import annotations

import html
import urllib.parse

EMAIL = "agent.secrets@coolbikes.test"
API_TOKEN = "zdAPItok3n-Q7x9F2kLm4Vn8Rp"
OAUTH_TOKEN = "zdOAuthT0ken-Hs5Jd8Kw2Zc6Yb"


def encodings(header: str) -> dict[str, str]:
    """The Authorization header as hostile or careless servers have been seen to echo it."""
    value = header.split(" ", 1)[1]
    return {
        "plain": header,
        "token alone": API_TOKEN if header.startswith("Basic") else OAUTH_TOKEN,
        "json \\u escapes": "".join(f"\\u{ord(c):04x}" for c in header),
        "gson = escaped": header.replace("=", "\\u003d"),
        "url-encoded": urllib.parse.quote(header, safe=""),
        "url-encoded twice": urllib.parse.quote(urllib.parse.quote(header, safe=""), safe=""),
        "split by spaces": " ".join(value[i : i + 6] for i in range(0, len(value), 6)),
        "html entities": "".join(f"&#{ord(c)};" for c in header),
    }


def all_views(text: str) -> str:
    """The text and what a reader could decode from it, in one string to search."""
    views = [text]
    for _ in range(2):
        text = urllib.parse.unquote(html.unescape(text.encode().decode("unicode_escape", "ignore")))
        views += [text, "".join(text.split())]
    return "\n".join(views)
