"""A client library for accessing Zendesk Events API (events and profiles)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
