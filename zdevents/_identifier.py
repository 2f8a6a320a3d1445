"""Identifier queries: ``source:type:identifier_type:identifier_value``."""

from __future__ import annotations

import attrs

# Zendesk lower-cases these identifier values when it stores them (Profiles API reference),
# so two queries that differ only in their case select the same profile.
_CASE_INSENSITIVE_KEYS = frozenset({"email", "twitter"})


def check_encodable(name: str, value: str) -> None:
    """Refuse text that cannot go on the wire as UTF-8: lone surrogates, which is what Python
    makes of bytes that are not UTF-8 in ``sys.argv`` or a file read with ``surrogateescape``."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{name} is not valid text: character {exc.start + 1} is a lone surrogate "
            f"({value[exc.start]!r}), from bytes that are not UTF-8"
        ) from None


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"identifier {name} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"identifier {name} must not be empty")
    check_encodable(f"identifier {name}", value)
    # A stray space or newline (pasted text, a line read from a file) would select nobody.
    if value != value.strip() or not value.isprintable():
        shown = repr(value) if len(value) <= 80 else f"{value[:40]!r}..."
        raise ValueError(
            f"identifier {name} {shown} has surrounding whitespace or control characters"
        )
    return value


def _validate_part(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if ":" in _check_text(attribute.name, value):
        raise ValueError(f"identifier {attribute.name} must not contain ':' (got {value!r:.80})")


def _validate_value(_: object, __: attrs.Attribute[str], value: object) -> None:
    _check_text("value", value)


@attrs.frozen
class Identifier:
    """An identifier query that selects one profile.

    Source, type and key may not be empty or contain ``:``; the value may contain ``:``
    (Zendesk documents no escaping, so everything after the third ``:`` is the value).
    No part may have surrounding whitespace or control characters.

    >>> q = Identifier("coolbikes", "rider", "email", "jdoe@example.com")
    >>> str(q)
    'coolbikes:rider:email:jdoe@example.com'
    >>> Identifier.parse("shop:customer:url:https://example.com/a").value
    'https://example.com/a'
    >>> q
    Identifier(source='coolbikes', type='rider', key='email', value=<16 characters>)

    The text is percent-encoded once, when the request is sent; pass it unencoded.
    """

    source: str = attrs.field(validator=_validate_part)
    type: str = attrs.field(validator=_validate_part)
    key: str = attrs.field(validator=_validate_part)
    # A person's data (an email, a phone number) never shows in a repr, a log or a traceback.
    value: str = attrs.field(validator=_validate_value, repr=lambda v: f"<{len(v)} characters>")

    @classmethod
    def parse(cls, text: str) -> Identifier:
        """Parse ``source:type:key:value``; raises ``ValueError`` naming what is wrong."""
        if not isinstance(text, str):
            raise TypeError(f"identifier must be a string, not {type(text).__name__}")
        parts = text.split(":", 3)
        if len(parts) != 4:
            raise ValueError(
                f"identifier {text!r:.80} must have four parts, source:type:key:value "
                "(e.g. coolbikes:rider:email:jdoe@example.com)"
            )
        return cls(*parts)

    @staticmethod
    def normalize_value(key: str, value: str) -> str:
        """``value`` as Zendesk stores it for identifier type ``key``: lower-cased for
        ``email`` and ``twitter``, unchanged otherwise.

        >>> Identifier.normalize_value("email", "JDoe@Example.com")
        'jdoe@example.com'
        """
        return value.lower() if key in _CASE_INSENSITIVE_KEYS else value

    def matching_key(self) -> tuple[str, str, str, str]:
        """Equal for two identifier queries that select the same profile.

        >>> Identifier.parse("a:b:email:X@Y.com").matching_key() == (
        ...     Identifier.parse("a:b:email:x@y.com").matching_key())
        True
        """
        return (self.source, self.type, self.key, self.normalize_value(self.key, self.value))

    def __str__(self) -> str:
        return f"{self.source}:{self.type}:{self.key}:{self.value}"
