"""``Client`` and ``AsyncClient``: the public entry points, thin facades over the core.

Each holds a core (``_base_client``: options, the send loop, transport, retries, pacing,
credentials) and the resources that hold it (``_events``, ``_track``, ``_profiles``,
``_oauth``); a method here only names its arguments and hands them on. The options are
keyword arguments typed by the TypedDicts of ``_base_client`` (``ClientOptions``,
``AsyncClientOptions``, ``CallOptions``), where each option's name, type, default and
documentation is written once, as IDEs and type checkers read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any, Self, Unpack

import httpx

from ._auth import Scrubber
from ._base_client import (
    NOT_GIVEN,
    AsyncClientOptions,
    AsyncCore,
    CallOptions,
    ClientOptions,
    SyncCore,
    client_options,
    from_env,
    spelt_out,
)
from ._bulk import OnMissing, Selector
from ._constants import DEFAULT_CONCURRENCY
from ._event import Event
from ._events import AsyncEvents, AsyncEventStream, Events, EventStream, event_query
from ._identifier import Identifier
from ._oauth import AsyncOAuth, OAuth
from ._profiles import AsyncProfiles, Profile, Profiles
from ._query import EventFilters
from ._responses import Page
from ._track import AsyncTrack, Outcome, Track, TrackResult
from ._users import AsyncUserStream, UserStream


def _scrub(scrubber: Scrubber, text: object) -> str:
    """``scrub`` of both clients: ``text`` scrubbed, a ``TypeError`` if it is no text."""
    if not isinstance(text, str):
        raise TypeError(f"scrub takes a str, not {type(text).__name__}")
    return scrubber.scrub_text(text)


class Client:
    """A synchronous Events API client; safe to share between threads.

    >>> client = Client(subdomain="coolbikes", email="devs@coolbikes.com", api_token="...")
    >>> for event in client.events(identifier="coolbikes:rider:email:jdoe@example.com",
    ...                            start="2020-02-23", end="2020-02-29"):
    ...     print(event.type, event.created_at)
    """

    _core: SyncCore

    @spelt_out(ClientOptions)
    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        """A client configured by keyword arguments, the options of
        :class:`~zdevents.types.ClientOptions` (each with its type, default and meaning
        there): the account (``subdomain`` or ``base_url``), credentials of one kind
        (``email`` with ``api_token``, ``oauth_token``, or ``oauth_client_id`` with
        ``oauth_client_secret``), and the timeout, retries, pacing, body bound and TLS of
        its calls; :meth:`from_env` takes the same. A misspelt option is a ``TypeError``, a
        bad value a ``ValueError`` (a :class:`~zdevents.errors.ConfigurationError` for the
        account and credentials)."""
        self._attach(SyncCore(client_options(options, type(self).__name__, httpx.Client)))

    def _attach(self, core: SyncCore) -> None:
        self._core = core
        # What a debugger or a traceback with locals shows of the credentials: stars.
        # Nothing reads it (the CLI scrubs through the public scrub()).
        self._credentials: Scrubber = core.scrubber
        self._events = Events(core)
        self._track = Track(core)
        self._profiles = Profiles(core)
        self._oauth = OAuth(core)

    @property
    def base_url(self) -> httpx.URL:
        """The API origin requests go to."""
        return self._core.base_url

    @classmethod
    @spelt_out(ClientOptions)
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **options: Unpack[ClientOptions]
    ) -> Self:
        """A client configured from ``ZENDESK_SUBDOMAIN`` or ``ZENDESK_BASE_URL`` (not both)
        and credentials of exactly one kind: ``ZENDESK_OAUTH_CLIENT_ID`` with
        ``ZENDESK_OAUTH_CLIENT_SECRET`` (and ``ZENDESK_OAUTH_SCOPE``), ``ZENDESK_OAUTH_TOKEN``,
        or ``ZENDESK_EMAIL`` with ``ZENDESK_API_TOKEN``; with none of them, the login
        ``zdevents auth login`` stored for the account (under ``ZDEVENTS_HOME``, by default
        ``~/.config/zdevents``), refreshed as it nears expiry.

        ``environ`` replaces ``os.environ``. The other arguments are the client's options
        (:class:`~zdevents.types.ClientOptions`); an account (``subdomain``/``base_url``)
        or credentials given here replace those of the environment. Raises
        :class:`~zdevents.errors.ConfigurationError` naming what is missing, or naming the
        variables of two kinds of credentials.
        """
        return from_env(cls, environ, options)

    @spelt_out(CallOptions, default=NOT_GIVEN)
    def with_options(self, **options: Unpack[CallOptions]) -> Self:
        """A client of the same class with other settings for some calls (the options of
        :class:`~zdevents.types.CallOptions`; those not given keep this client's), sharing
        this one's connection pool, credentials and rate limiter (the openai-python
        pattern).

        >>> fast = client.with_options(timeout=5, max_retries=0)

        Closing the copy does not close this client's pool.
        """
        where = f"{type(self).__name__}.with_options"
        settings = self._core.settings.evolve(options, where)
        copy = object.__new__(type(self))
        copy._attach(self._core.with_settings(settings))
        return copy

    def events(
        self,
        *,
        identifier: Identifier | str | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
        after: str | None = None,
        limit: int | None = None,
        **filters: Unpack[EventFilters],
    ) -> EventStream:
        """The events of one profile or user, across every page, lazily.

        Give exactly one of ``identifier`` (an :class:`Identifier` or its text),
        ``profile_id`` or ``user_id``. The filters (``source``, ``type``, ``start``,
        ``end``, ``page_size``) are those of :class:`~zdevents.types.EventFilters`.
        ``after`` resumes at a cursor taken from :attr:`Page.cursor`. ``limit`` stops after
        that many events, and no page beyond them is fetched. Invalid arguments raise
        ``ValueError`` here, before any request.
        """
        query = event_query(
            identifier, profile_id, user_id, after=after, limit=limit, filters=filters,
            where=f"{type(self).__name__}.events",
        )  # fmt: skip
        return self._events.stream(query, limit)

    def track(
        self,
        event: Mapping[str, Any],
        *,
        profile: Mapping[str, Any] | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
    ) -> TrackResult:
        """Track one event; returns Zendesk's answer (``profile_id``, ``user_id``, ``status``).

        ``event``: ``source`` and ``type`` (at most 40 characters each), optional
        ``description``, ``created_at`` (an aware ``datetime``, sent in UTC with every
        microsecond, or RFC 3339 text, sent as given) and ``properties`` (an object).
        Exactly one target: ``profile`` alone (``source``, ``type``, ``identifiers`` as
        ``[{"type", "value"}]``, optional ``name`` and ``attributes``; found by source, type
        and any identifier, or created), ``profile_id``, or ``user_id`` with ``profile``.
        Invalid arguments raise ``ValueError`` naming the field, before anything is sent.

        Not retried after it may have reached Zendesk (a 5xx, a timeout, a dropped
        connection) unless the client has ``retry_writes=True``: the error says the event
        may or may not have been stored. A 429 and a refused connection are retried.

        >>> client.track({"source": "coolbike", "type": "bike_rental_booked"},
        ...              profile={"source": "coolbikes", "type": "rider",
        ...                       "identifiers": [{"type": "email", "value": "jdoe@example.com"}]})
        TrackResult(profile_id='01E1G0NJSQPNPZRV096JXKXFAA', user_id='85211553', status='received')
        """
        return self._track.send(event, profile=profile, profile_id=profile_id, user_id=user_id)

    def track_many(
        self, records: Iterable[Mapping[str, Any]], *, concurrency: int = DEFAULT_CONCURRENCY
    ) -> Iterator[Outcome]:
        """Track many records, ``concurrency`` at a time (worker threads sharing this
        client's pool and rate limiter), yielding one outcome per record **in input order**:
        a :class:`TrackResult`, or the exception that record met (``ValueError``/``TypeError``
        for an invalid record, else a :class:`~zdevents.errors.ZendeskError`), with a note
        ``track record N`` (0-based). One bad record never stops the rest.

        A record is ``{"event": {...}}`` plus its target as :meth:`track` takes it:
        ``"profile"``, ``"profile_id"``, or ``"user_id"`` with ``"profile"`` (the format of
        the sandbox's seed files). Records are read lazily, at most ``2 * concurrency``
        ahead of the outcome yielded; stopping early sends no record not yet started.

        >>> for record, outcome in zip(records, client.track_many(records)):
        ...     if isinstance(outcome, Exception):
        ...         print("failed:", outcome)
        """
        return self._track.many(records, concurrency)

    def profile(
        self, *, identifier: Identifier | str | None = None, profile_id: str | None = None
    ) -> Profile:
        """The profile selected by ``identifier`` (an identifier query or an
        :class:`Identifier`) or by ``profile_id``, exactly one of them. An unknown one is a
        :class:`~zdevents.errors.NotFoundError`.

        >>> client.profile(identifier="coolbikes:rider:email:jdoe@example.com").id
        '01E1G0NJSQPNPZRV096JXKXFAA'
        """
        return self._profiles.get(identifier, profile_id)

    def profiles(self, *, user_id: int | str) -> list[Profile]:
        """The profiles of the Zendesk user ``user_id``, in the order Zendesk sends them."""
        return self._profiles.list(user_id)

    def put_profile(
        self,
        profile: Mapping[str, Any],
        *,
        identifier: Identifier | str | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
    ) -> Profile:
        """Create or replace a profile; returns it as Zendesk stored it.

        The target: ``identifier`` (an identifier query or an :class:`Identifier`; the
        profile is created if none matches), optionally with ``user_id`` (the Zendesk user
        it belongs to), or ``profile_id`` alone (that profile must exist). ``profile`` is
        the whole profile: ``source`` and ``type`` (those of ``identifier``),
        ``identifiers``, optional ``name`` and ``attributes``, checked as :meth:`track`
        checks one. **A replace keeps nothing that is not resent**: a name or attribute
        left out is gone. Invalid arguments raise ``ValueError`` naming the field, before
        anything is sent. Idempotent, so retried like a read.

        >>> client.put_profile({"source": "coolbikes", "type": "rider", "name": "Jane Doe",
        ...                     "identifiers": [{"type": "email", "value": "jdoe@example.com"}]},
        ...                    identifier="coolbikes:rider:email:jdoe@example.com").name
        'Jane Doe'
        """
        return self._profiles.put(
            profile, identifier=identifier, profile_id=profile_id, user_id=user_id
        )

    def patch_profile(
        self,
        changes: Mapping[str, Any],
        *,
        identifier: Identifier | str | None = None,
        profile_id: str | None = None,
    ) -> Profile:
        """Merge ``changes`` into the profile of ``identifier`` or ``profile_id`` (exactly
        one); returns the profile after the merge.

        Only ``name`` and ``attributes`` change: attribute keys are merged into the stored
        ones (a key given as ``None`` is removed), ``identifiers`` the profile lacks are
        added (none is changed or removed); ``source``, ``type`` and ``user_id`` may be
        given and are ignored. Invalid arguments raise ``ValueError`` naming the field.
        Idempotent, so retried like a read.
        """
        return self._profiles.patch(changes, identifier=identifier, profile_id=profile_id)

    def delete_profile(self, *, profile_id: str) -> None:
        """Delete the profile ``profile_id`` and every event it holds (Zendesk's only way to
        delete events). Retried like a read: a 404 after a retry means an earlier attempt
        deleted it, and counts as done; a 404 at the first attempt is a
        :class:`~zdevents.errors.NotFoundError`. Zendesk's own profiles (source
        ``zendesk``) cannot be deleted (:class:`~zdevents.errors.PermissionDeniedError`).
        """
        self._profiles.delete(profile_id)

    def users(
        self,
        *,
        start_time: int | dt.datetime | dt.date | None = None,
        cursor: str | None = None,
        per_page: int | None = None,
    ) -> UserStream:
        """Every user of the account created or changed since ``start_time`` (Unix seconds,
        a date or an aware datetime; ``None``: all of them), or since the export that ended
        at ``cursor`` (a :attr:`UserPage.after_cursor`), lazily, as :class:`User` values;
        ``.pages()`` gives :class:`UserPage` values. Zendesk's cursor-based Incremental
        User Export: admins only (a 403 says so), 10 requests a minute of its own (a 429 is
        waited through as its ``Retry-After`` says, up to ``max_retry_after``), up to
        ``per_page`` users a page (Zendesk's default, 1000). Keep the last page's
        ``after_cursor`` and pass it as ``cursor`` next time to read only what changed.
        A deleted user comes with ``active`` false. Invalid arguments raise ``ValueError``
        here, before any request.

        >>> for user in client.users():
        ...     print(user.id, user.role)
        """
        return UserStream(self._core, (start_time, cursor, per_page))

    def events_many(
        self,
        selectors: Iterable[Selector],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_missing: OnMissing = "raise",
        **filters: Unpack[EventFilters],
    ) -> Iterator[tuple[Selector, Event]]:
        """The events of many people, ``concurrency`` at a time, as ``(selector, event)``,
        from worker threads (worker tasks for :class:`AsyncClient`, at most 20 whatever
        ``concurrency`` asks for: beyond that, httpcore's async connection pool spends more
        per request than the extra tasks save).

        A selector is an identifier query (text or :class:`Identifier`) or a mapping with one
        of ``identifier``, ``profile_id``, ``user_id``, and optionally ``after``: a cursor
        (:attr:`Page.cursor`) to resume that selector from, and ``start``: that selector's
        own start (for instance where its last export ended), in place of the call's
        ``start`` (a mapping with ``start`` in a call with ``start=`` is a ``ValueError``).
        The other filters are arguments of the call and apply to every selector; a mapping
        that repeats one is a ``ValueError``. Every selector is validated before anything is
        sent. Each selector's events come in order and exactly once; selectors interleave.
        Workers share this client's pool and rate limiter; one page per worker is held at a
        time.

        ``on_missing`` says what a 404 (no such person) does: ``"raise"`` (the default) stops
        the export at the first error, like any other error; ``"skip"`` logs a warning on the
        ``zdevents`` logger and goes on; a function ``(selector, error) -> None`` is called
        instead of logging (in the thread or task that iterates). An error that stops the
        export is raised with ``.selector`` set to the selector whose export failed.

        >>> people = ["coolbikes:rider:email:a@example.com", {"user_id": 85211553}]
        >>> for selector, event in client.events_many(people, concurrency=20):
        ...     print(selector, event.type)
        """
        return self._events.events_many(selectors, concurrency, on_missing, filters)

    def pages_many(
        self,
        selectors: Iterable[Selector],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_missing: OnMissing = "raise",
        **filters: Unpack[EventFilters],
    ) -> Iterator[tuple[Selector, Page]]:
        """:meth:`events_many` a page at a time: ``(selector, page)``, same arguments
        (a selector mapping may carry its own ``after`` and ``start``).

        This is the way to checkpoint a bulk export: once a page's events are stored, keep
        ``page.cursor`` for its selector; ``page.has_more`` false means that selector is done.
        To resume, pass each unfinished selector as a mapping with its cursor,
        ``{"user_id": 85211553, "after": cursor}`` (``after=None``: from the start), and leave
        out the finished ones; every event then comes exactly once across the two runs. (A
        page with more to come but no cursor, which Zendesk does not send, cannot be resumed
        after: keep the selector's previous cursor and drop what came since.) An incremental
        export gives each selector the ``start`` it reads from:
        ``{"user_id": 85211553, "start": "2026-11-30T00:00:00Z"}``.
        """
        return self._events.pages_many(selectors, concurrency, on_missing, filters)

    def scrub(self, text: str) -> str:
        """``text`` with every credential this client sends, or sent lately (OAuth tokens
        before a rotation), replaced by ``********``; withheld whole if one still shows
        once unescaped. For messages and logs of your own that quote what a server sent
        (zdevents' own errors are scrubbed already).

        >>> Client(subdomain="x", oauth_token="t0k3n-abc").scrub("echo: t0k3n-abc")
        'echo: ********'
        """
        return _scrub(self._core.scrubber, text)

    def close(self) -> None:
        """Close the connection pool (not a ``http_client`` you passed in, nor the pool of
        the client a :meth:`with_options` copy came from)."""
        self._core.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return self._core.describe(type(self).__name__)


class AsyncClient:
    """The asyncio twin of :class:`Client`: same arguments, ``async for`` iteration.

    >>> async with AsyncClient.from_env() as client:
    ...     async for event in client.events(user_id=85211553):
    ...         print(event.type)

    Concurrent iterations of one client share its connection pool and its rate limiter.
    """

    _core: AsyncCore

    @spelt_out(AsyncClientOptions)
    def __init__(self, **options: Unpack[AsyncClientOptions]) -> None:
        """A client configured by keyword arguments, the options of
        :class:`~zdevents.types.AsyncClientOptions` (those of :meth:`from_env` too): those
        of :class:`Client`, with your own ``httpx.AsyncClient`` as ``http_client``."""
        self._attach(AsyncCore(client_options(options, type(self).__name__, httpx.AsyncClient)))

    def _attach(self, core: AsyncCore) -> None:
        self._core = core
        # What a debugger or a traceback with locals shows of the credentials: stars.
        # Nothing reads it (the CLI scrubs through the public scrub()).
        self._credentials: Scrubber = core.scrubber
        self._events = AsyncEvents(core)
        self._track = AsyncTrack(core)
        self._profiles = AsyncProfiles(core)
        self._oauth = AsyncOAuth(core)

    @property
    def base_url(self) -> httpx.URL:
        """The API origin requests go to."""
        return self._core.base_url

    @classmethod
    @spelt_out(AsyncClientOptions)
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **options: Unpack[AsyncClientOptions]
    ) -> Self:
        """An asyncio client configured from the environment, as :meth:`Client.from_env`
        does, with the options of :class:`~zdevents.types.AsyncClientOptions`."""
        return from_env(cls, environ, options)

    @spelt_out(CallOptions, default=NOT_GIVEN)
    def with_options(self, **options: Unpack[CallOptions]) -> Self:
        """A client with other settings for some calls, sharing this one's pool,
        credentials and rate limiter (see :meth:`Client.with_options`)."""
        where = f"{type(self).__name__}.with_options"
        settings = self._core.settings.evolve(options, where)
        copy = object.__new__(type(self))
        copy._attach(self._core.with_settings(settings))
        return copy

    def events(
        self,
        *,
        identifier: Identifier | str | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
        after: str | None = None,
        limit: int | None = None,
        **filters: Unpack[EventFilters],
    ) -> AsyncEventStream:
        """The events of one profile or user for ``async for``; the arguments are those of
        :meth:`Client.events`."""
        query = event_query(
            identifier, profile_id, user_id, after=after, limit=limit, filters=filters,
            where=f"{type(self).__name__}.events",
        )  # fmt: skip
        return self._events.stream(query, limit)

    async def track(
        self,
        event: Mapping[str, Any],
        *,
        profile: Mapping[str, Any] | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
    ) -> TrackResult:
        """Track one event; the arguments and the retry rule are those of
        :meth:`Client.track`."""
        return await self._track.send(
            event, profile=profile, profile_id=profile_id, user_id=user_id
        )

    def track_many(
        self, records: Iterable[Mapping[str, Any]], *, concurrency: int = DEFAULT_CONCURRENCY
    ) -> AsyncIterator[Outcome]:
        """Track many records for ``async for`` (worker tasks, at most 20 as for
        :meth:`events_many`), one outcome per record in input order, as
        :meth:`Client.track_many` does."""
        return self._track.many(records, concurrency)

    async def profile(
        self, *, identifier: Identifier | str | None = None, profile_id: str | None = None
    ) -> Profile:
        """The profile selected by ``identifier`` or ``profile_id`` (see
        :meth:`Client.profile`)."""
        return await self._profiles.get(identifier, profile_id)

    async def profiles(self, *, user_id: int | str) -> list[Profile]:
        """The profiles of the Zendesk user ``user_id``."""
        return await self._profiles.list(user_id)

    async def put_profile(
        self,
        profile: Mapping[str, Any],
        *,
        identifier: Identifier | str | None = None,
        profile_id: str | None = None,
        user_id: int | str | None = None,
    ) -> Profile:
        """Create or replace a profile (see :meth:`Client.put_profile`)."""
        return await self._profiles.put(
            profile, identifier=identifier, profile_id=profile_id, user_id=user_id
        )

    async def patch_profile(
        self,
        changes: Mapping[str, Any],
        *,
        identifier: Identifier | str | None = None,
        profile_id: str | None = None,
    ) -> Profile:
        """Merge changes into a profile (see :meth:`Client.patch_profile`)."""
        return await self._profiles.patch(changes, identifier=identifier, profile_id=profile_id)

    async def delete_profile(self, *, profile_id: str) -> None:
        """Delete a profile and its events (see :meth:`Client.delete_profile`)."""
        await self._profiles.delete(profile_id)

    def users(
        self,
        *,
        start_time: int | dt.datetime | dt.date | None = None,
        cursor: str | None = None,
        per_page: int | None = None,
    ) -> AsyncUserStream:
        """Every user of the account for ``async for`` (``.pages()`` for pages); the
        arguments are those of :meth:`Client.users`."""
        return AsyncUserStream(self._core, (start_time, cursor, per_page))

    def events_many(
        self,
        selectors: Iterable[Selector],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_missing: OnMissing = "raise",
        **filters: Unpack[EventFilters],
    ) -> AsyncIterator[tuple[Selector, Event]]:
        """The events of many people for ``async for``, from worker tasks (at most 20);
        the arguments are those of :meth:`Client.events_many`."""
        return self._events.events_many(selectors, concurrency, on_missing, filters)

    def pages_many(
        self,
        selectors: Iterable[Selector],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_missing: OnMissing = "raise",
        **filters: Unpack[EventFilters],
    ) -> AsyncIterator[tuple[Selector, Page]]:
        """:meth:`events_many` a page at a time, for ``async for``; the arguments and the
        way to checkpoint are those of :meth:`Client.pages_many`."""
        return self._events.pages_many(selectors, concurrency, on_missing, filters)

    def scrub(self, text: str) -> str:
        """:meth:`Client.scrub`: ``text`` with every credential of this client replaced by
        ``********`` (withheld whole if one still shows once unescaped)."""
        return _scrub(self._core.scrubber, text)

    async def close(self) -> None:
        """Close the connection pool (not a ``http_client`` you passed in, nor the pool of
        the client a :meth:`with_options` copy came from)."""
        await self._core.close()

    aclose = close

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return self._core.describe(type(self).__name__)
