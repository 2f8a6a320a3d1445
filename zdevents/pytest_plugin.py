"""pytest plugin: a real Zendesk Events API sandbox for each test that asks for one.

Installed with zdevents (entry point ``pytest11``); the fixtures need the
``zdevents[sandbox]`` extra, which is imported only when a test uses them.

Example::

    import pytest


    def test_login_events(zendesk_sandbox):
        profile_id = zendesk_sandbox.add_event(
            profile={"source": "shop", "type": "customer",
                     "identifiers": [{"type": "email", "value": "ann@example.com"}]},
            event={"source": "shop", "type": "login", "properties": {}},
        )
        events = list(zendesk_sandbox.client.events(profile_id=profile_id))
        assert [event.type for event in events] == ["login"]


    @pytest.mark.zendesk_sandbox(seed="demo", rate_limit=250)
    def test_demo_user(zendesk_sandbox):
        assert any(zendesk_sandbox.client.events(user_id=85211553))


    @pytest.mark.zendesk_sandbox(seed="demo")
    def test_client_credentials(zendesk_sandbox):
        client = zdevents.Client(base_url=zendesk_sandbox.base_url,
                                 oauth_client_id=zendesk_sandbox.oauth_client_id,
                                 oauth_client_secret=zendesk_sandbox.oauth_client_secret)
        assert any(client.events(user_id=85211553))
        assert zendesk_sandbox.oauth.issued["client_credentials"] == 1


    def test_flaky_server(zendesk_sandbox_factory):
        sandbox = zendesk_sandbox_factory(faults="503=0.3,drop=0.1", fault_seed=7)
        ...


    def test_my_nightly_job(zendesk_env, zendesk_sandbox):
        # ZENDESK_BASE_URL and credentials point at the sandbox for this test only, for
        # your code's Client.from_env() and for a zdevents command it runs.
        subprocess.run(["zdevents", "events", "--user-id", "1"], check=False)

``zendesk_sandbox`` is a started :class:`zdevents.sandbox.Sandbox` with a fresh in-memory
store: ``base_url``, ``email``, ``api_token``, ``oauth_token``, the OAuth clients
``oauth_public_client_id`` (for a browser login, PKCE) and ``oauth_client_id`` with
``oauth_client_secret`` (client credentials), ``oauth`` (the OAuth server: ``issued`` and
``refused`` counts, ``expire_access_tokens()``, ``revoke_all()``,
``fail_next_token_requests(n)``, ``deny``), ``set_token_lifetimes(...)``, ``client`` (a
``zdevents.Client``, built on first use), ``add_event(...)``/``add_events(...)`` (track
records: ``{"event", "profile"}``, ``{"event", "profile_id"}`` or ``{"event", "profile",
"user_id"}``, validated and matched by the same code as ``POST .../events``; they return
profile ids), and settings a test may change at any time: ``rate_limit``, ``latency``,
``set_faults(...)`` (``"store-then-500=1"`` stores each write, then answers 500),
``fault_counts``, ``request_count``. The marker ``@pytest.mark.zendesk_sandbox(**options)``
passes ``Sandbox`` options (``zdevents.sandbox.Options``, plus ``seed``, ``db``, ...) to the
fixture.

``zendesk_env`` sets, for the test only, the environment that points at ``zendesk_sandbox``:
``ZENDESK_BASE_URL`` and one kind of credentials (the sandbox's OAuth token by default;
``@pytest.mark.zendesk_env(credentials="client_credentials")`` or ``"api_token"`` for the
others), with every other ``ZENDESK_*`` variable removed (a leftover production account
cannot leak in) and ``ZDEVENTS_HOME`` in a temporary folder (no stored login of yours is
read or written). ``Client.from_env()`` in the test and a ``zdevents`` command it starts in
a subprocess then find the sandbox. It returns the variables it set.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from zdevents.sandbox import Sandbox

__all__ = ["zendesk_env", "zendesk_sandbox", "zendesk_sandbox_factory"]

#: What ``@pytest.mark.zendesk_env(credentials=...)`` takes.
CREDENTIAL_KINDS = ("oauth_token", "client_credentials", "api_token")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``zendesk_sandbox`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        "zendesk_sandbox(**options): options for the zendesk_sandbox fixture's Sandbox "
        "(seed, rate_limit, latency, faults, fault_seed, retry_after, request_timeout, ...)",
    )
    config.addinivalue_line(
        "markers",
        "zendesk_env(credentials='oauth_token'): the kind of credentials the zendesk_env "
        "fixture sets: " + ", ".join(CREDENTIAL_KINDS),
    )


@pytest.fixture
def zendesk_sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes with custom options: ``factory(**Sandbox options) -> Sandbox``.

    Every sandbox it started is stopped when the test ends.
    """
    from zdevents.sandbox import Sandbox

    started: list[Sandbox] = []

    def factory(**options: Any) -> Sandbox:
        sandbox = Sandbox(**options).start()
        started.append(sandbox)
        return sandbox

    try:
        yield factory
    finally:
        for sandbox in reversed(started):
            sandbox.stop()


@pytest.fixture
def zendesk_sandbox(
    request: pytest.FixtureRequest, zendesk_sandbox_factory: Callable[..., Sandbox]
) -> Sandbox:
    """A running sandbox on a free loopback port with an empty in-memory store.

    Options come from the test's ``@pytest.mark.zendesk_sandbox(...)`` marker, if any.
    """
    marker = request.node.get_closest_marker("zendesk_sandbox")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    return zendesk_sandbox_factory(**options)


@pytest.fixture
def zendesk_env(
    request: pytest.FixtureRequest,
    zendesk_sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    """The environment of this test pointed at ``zendesk_sandbox`` (restored afterwards):
    ``ZENDESK_BASE_URL`` and one kind of credentials, no other ``ZENDESK_*`` variable, and
    ``ZDEVENTS_HOME`` in a temporary folder. Returns the variables it set.

    The kind of credentials comes from ``@pytest.mark.zendesk_env(credentials=...)``:
    ``"oauth_token"`` (the default), ``"client_credentials"`` or ``"api_token"``.
    """
    marker = request.node.get_closest_marker("zendesk_env")
    kind = marker.kwargs.get("credentials", "oauth_token") if marker is not None else "oauth_token"
    sandbox = zendesk_sandbox
    if kind == "oauth_token" and sandbox.oauth_token:
        credentials = {"ZENDESK_OAUTH_TOKEN": sandbox.oauth_token}
    elif kind in ("oauth_token", "client_credentials"):
        # A sandbox started without a bearer token: its OAuth client instead.
        credentials = {
            "ZENDESK_OAUTH_CLIENT_ID": sandbox.oauth_client_id,
            "ZENDESK_OAUTH_CLIENT_SECRET": sandbox.oauth_client_secret,
        }
    elif kind == "api_token":
        credentials = {"ZENDESK_EMAIL": sandbox.email, "ZENDESK_API_TOKEN": sandbox.api_token}
    else:
        pytest.fail(
            f"zendesk_env(credentials={kind!r}): use one of {', '.join(CREDENTIAL_KINDS)}",
            pytrace=False,
        )
    for name in list(os.environ):
        if name.startswith("ZENDESK_"):
            monkeypatch.delenv(name)
    values = {
        "ZENDESK_BASE_URL": sandbox.base_url,
        **credentials,
        "ZDEVENTS_HOME": str(tmp_path_factory.mktemp("zdevents-home")),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values
