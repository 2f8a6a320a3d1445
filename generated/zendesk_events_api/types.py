"""Contains some shared types for properties"""

from collections.abc import MutableMapping
from http import HTTPStatus
from typing import Generic, Literal, TypeVar

import httpx
from attrs import define


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: HTTPStatus | int
    """ The status: an ``HTTPStatus``, or an ``int`` for a code outside the IANA list (520) """
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


def _status(code: int) -> HTTPStatus | int:
    """``code`` as an ``HTTPStatus``, or as it is when HTTPStatus has no such member (520)"""
    try:
        return HTTPStatus(code)
    except ValueError:
        return code


def _is_json(response: httpx.Response) -> bool:
    """Whether ``response`` says its body is JSON (``application/json`` or ``*+json``)"""
    media_type: str = (
        response.headers.get("content-type", "").partition(";")[0].strip().lower()
    )
    return media_type == "application/json" or media_type.endswith("+json")


__all__ = ["UNSET", "Response", "Unset"]
