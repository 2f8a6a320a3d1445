"""Where the client's base URL and credentials come from, and how they are checked."""

from __future__ import annotations

import base64
import html
import ipaddress
import os
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from .errors import ConfigurationError

_DNS_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
DEFAULT_PORTS = {"http": 80, "https": 443}
_USERINFO = re.compile(r"[^/@]+@")

ENV_HELP = (
    "set ZENDESK_SUBDOMAIN (or ZENDESK_BASE_URL), then run `zdevents auth login`, or set "
    "ZENDESK_OAUTH_CLIENT_ID with ZENDESK_OAUTH_CLIENT_SECRET, or ZENDESK_OAUTH_TOKEN, or "
    "ZENDESK_EMAIL with ZENDESK_API_TOKEN"
)
#: The environment variables of each kind of credentials, in the order messages name them.
CREDENTIAL_VARIABLES = {
    "client_credentials": ("ZENDESK_OAUTH_CLIENT_ID", "ZENDESK_OAUTH_CLIENT_SECRET"),
    "oauth_token": ("ZENDESK_OAUTH_TOKEN",),
    "api_token": ("ZENDESK_EMAIL", "ZENDESK_API_TOKEN"),
}
#: Where ``zdevents auth login`` keeps its logins (default: the XDG config folder).
HOME_VARIABLE = "ZDEVENTS_HOME"
#: Which store holds the logins: ``file`` (the default) or ``keyring`` (opt-in, the extra).
STORE_VARIABLE = "ZDEVENTS_LOGIN_STORE"
LOGIN_STORES = ("file", "keyring")


class Secret:
    """A string that never shows itself in a repr, str or f-string.

    ``forms`` are other spellings of the same secret (the bare token, the base64 credential)
    that :meth:`scrub_text` hides too, e.g. in an error body where a proxy echoes the header.
    """

    __slots__ = ("__weakref__", "_forms", "_value")

    def __init__(self, value: str, *forms: str) -> None:
        self._value = value
        spellings = {value, *forms}
        # Base64 without its padding: what survives when "=" is escaped (\u003d, %3D).
        spellings |= {f.rstrip("=") for f in spellings}
        # Longest first, so that a form inside another is not left half-hidden.
        self._forms = tuple(sorted({f for f in spellings if len(f) >= 4}, key=len, reverse=True))

    def reveal(self) -> str:
        return self._value

    def scrub_text(self, text: str) -> str:
        """``text`` as it may be shown: every form of the secret replaced by ``********``;
        withheld entirely if the secret still shows once the text is unescaped (``\\u``,
        ``%XX``, HTML entities) or its whitespace removed (base64 wrapped over lines)."""
        for form in self._forms:
            text = text.replace(form, "********")
        if self.shows_in(text):
            return "[withheld: the text held a credential]"
        return text

    def shows_in(self, text: str) -> bool:
        """Whether ``text`` spells the secret, as it is or as :meth:`scrub_text` decodes it."""
        return any(form in view for view in (text, *_views(text)) for form in self._forms)

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[Any, ...]:
        raise TypeError("a Secret cannot be pickled")


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\(.)", re.DOTALL)


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        if code:
            return chr(int(code, 16))
        return {"n": "\n", "r": "\r", "t": "\t"}.get(match.group(3), match.group(3))

    return _ESCAPE.sub(one, text)


def _views(text: str) -> Iterator[str]:
    """``text`` as a reader might decode it, once, twice and three times over (deeper costs
    a pass over the text each, and a hostile echo can nest without end), each also without
    its whitespace; and the text itself without its whitespace."""
    seen = text
    for _ in range(3):
        seen = urllib.parse.unquote(html.unescape(_unescape(seen)))
        yield seen
        yield "".join(seen.split())
    yield "".join(text.split())


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (``localhost`` or a loopback address)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url_of(subdomain: str | None, base_url: str | None) -> httpx.URL:
    """The API origin: ``https://{subdomain}.zendesk.com`` or a checked ``base_url``."""
    if (subdomain is None) == (base_url is None):
        raise ConfigurationError("give exactly one of subdomain and base_url")
    if subdomain is not None:
        if not isinstance(subdomain, str) or not _DNS_LABEL.fullmatch(subdomain):
            raise ConfigurationError(
                f"subdomain {subdomain!r} is not a valid DNS label "
                "(letters, digits and inner hyphens, at most 63); "
                "for coolbikes.zendesk.com it is 'coolbikes'"
            )
        return httpx.URL(f"https://{subdomain}.zendesk.com")
    assert base_url is not None
    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url must be a string, not {type(base_url).__name__}")
    # Messages quote the URL without any user:password it may hold.
    shown = _USERINFO.sub("***@", base_url)
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL:
        raise ConfigurationError(f"base_url {shown!r} is not a URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url {shown!r} must be an absolute http(s) URL")
    if url.userinfo or url.query or url.fragment:
        raise ConfigurationError(
            "base_url must not contain credentials, a query or a fragment; "
            "pass credentials as email/api_token or oauth_token"
        )
    if url.scheme == "http" and not is_loopback(url.host):
        raise ConfigurationError(
            f"base_url {shown!r} uses plain http to a non-loopback host; use https "
            "(plain http is only allowed for 127.0.0.1, ::1 and localhost)"
        )
    return url.copy_with(path=url.path.rstrip("/") or "/")


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    """Scheme, host and port equal (default ports made explicit)."""
    return (
        a.scheme == b.scheme
        and a.host.lower() == b.host.lower()
        and (a.port or DEFAULT_PORTS.get(a.scheme)) == (b.port or DEFAULT_PORTS.get(b.scheme))
    )


def _text(name: str, value: object, *, ascii_only: bool = False) -> str:
    # Messages never quote the value: it may be a token.
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{name} must be a non-empty string")
    if not value.isprintable():
        raise ConfigurationError(f"{name} contains a control character")
    if ascii_only and not value.isascii():
        # httpx would fail to encode the header, with the token in its exception.
        raise ConfigurationError(f"{name} must be ASCII (tokens are)")
    return value.strip()


def authorization(
    email: str | None, api_token: str | None, oauth_token: str | None
) -> tuple[str, Secret]:
    """The auth kind (``"api_token"``/``"oauth"``) and the ``Authorization`` header value."""
    if oauth_token is not None:
        if email is not None or api_token is not None:
            raise ConfigurationError("give either email with api_token, or oauth_token, not both")
        token = _text("oauth_token", oauth_token, ascii_only=True)
        return "oauth", Secret(f"Bearer {token}", token)
    if email is None or api_token is None:
        raise ConfigurationError(
            f"credentials missing: give email with api_token, or oauth_token ({ENV_HELP})"
        )
    user = _text("email", email)
    # Users often paste the documented user name; accept it once rather than send "/token/token".
    user = user.removesuffix("/token")
    token = _text("api_token", api_token, ascii_only=True)
    credential = base64.b64encode(f"{user}/token:{token}".encode()).decode()
    return "api_token", Secret(f"Basic {credential}", credential, token)


def env_settings(
    environ: Mapping[str, str] | None, *, account: bool, credentials: bool
) -> dict[str, str]:
    """Client keyword arguments from ``ZENDESK_*`` variables; names what is missing.

    ``account=False`` or ``credentials=False`` leaves that group out (the caller gives it).
    With ``credentials=True`` and no credentials in the environment the result has none:
    the caller then uses the stored login of the account (see :func:`env_credentials`).
    """
    env = os.environ if environ is None else environ
    settings: dict[str, str] = {}
    if account:
        subdomain, base_url = _get(env, "ZENDESK_SUBDOMAIN"), _get(env, "ZENDESK_BASE_URL")
        if base_url and subdomain:
            raise ConfigurationError(
                "both ZENDESK_SUBDOMAIN and ZENDESK_BASE_URL are set: unset one of them"
            )
        if base_url:
            settings["base_url"] = base_url
        elif subdomain:
            settings["subdomain"] = subdomain
        else:
            raise ConfigurationError(f"no Zendesk account configured: {ENV_HELP}")
    if credentials:
        settings.update(env_credentials(env))
    return settings


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def env_credentials(env: Mapping[str, str]) -> dict[str, str]:
    """The credentials the environment gives, as client keyword arguments: exactly one kind,
    or none at all (``{}``: use the stored login). Two kinds, or half of one, is a
    :class:`ConfigurationError` naming the variables."""
    email, api_token = _get(env, "ZENDESK_EMAIL"), _get(env, "ZENDESK_API_TOKEN")
    oauth = _get(env, "ZENDESK_OAUTH_TOKEN")
    client_id = _get(env, "ZENDESK_OAUTH_CLIENT_ID")
    client_secret = _get(env, "ZENDESK_OAUTH_CLIENT_SECRET")
    # A client id alone is no credential: it names the client `zdevents auth login` uses.
    present = {
        "client_credentials": bool(client_secret),
        "oauth_token": bool(oauth),
        "api_token": bool(email or api_token),
    }
    kinds = [kind for kind, given in present.items() if given]
    if len(kinds) > 1:
        named = [
            name
            for kind in kinds
            for name in CREDENTIAL_VARIABLES[kind]
            if _get(env, name) is not None
        ]
        if kinds == ["oauth_token", "api_token"]:
            # The message of the two legacy kinds, as it always was.
            both = [n for n in named if n != "ZENDESK_OAUTH_TOKEN"]
            raise ConfigurationError(
                f"both {' and '.join(both)} and ZENDESK_OAUTH_TOKEN are set: unset one kind of "
                "credentials (email with API token, or OAuth token)"
            )
        raise ConfigurationError(
            f"{', '.join(named)} are set: these are {len(kinds)} kinds of credentials; "
            "unset all but one kind (OAuth client, OAuth token, or email with API token)"
        )
    if email and api_token:
        return {"email": email, "api_token": api_token}
    if oauth:
        return {"oauth_token": oauth}
    if client_secret:
        if not client_id:
            raise ConfigurationError(
                f"no Zendesk credentials (ZENDESK_OAUTH_CLIENT_ID is missing): {ENV_HELP}"
            )
        found = {"oauth_client_id": client_id, "oauth_client_secret": client_secret}
        scope = _get(env, "ZENDESK_OAUTH_SCOPE")
        if scope:
            found["oauth_scope"] = scope
        return found
    if email or api_token:
        missing = "ZENDESK_API_TOKEN" if email else "ZENDESK_EMAIL"
        raise ConfigurationError(f"no Zendesk credentials ({missing} is missing): {ENV_HELP}")
    return {}


def login_home(environ: Mapping[str, str] | None = None) -> str:
    """The folder of stored logins: ``ZDEVENTS_HOME``, else ``$XDG_CONFIG_HOME/zdevents``,
    else ``~/.config/zdevents``."""
    env = os.environ if environ is None else environ
    home = _get(env, HOME_VARIABLE)
    if home:
        return os.path.abspath(os.path.expanduser(home))
    config = _get(env, "XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(os.path.abspath(config), "zdevents")


def login_store_kind(environ: Mapping[str, str] | None = None) -> str:
    """``ZDEVENTS_LOGIN_STORE``: ``"file"`` (unset or empty) or ``"keyring"``."""
    env = os.environ if environ is None else environ
    kind = (_get(env, STORE_VARIABLE) or "file").lower()
    if kind not in LOGIN_STORES:
        raise ConfigurationError(
            f"{STORE_VARIABLE} must be 'file' (the default) or 'keyring', not {kind[:40]!r}"
        )
    return kind
