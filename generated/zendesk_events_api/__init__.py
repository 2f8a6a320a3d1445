"""A client library for accessing Zendesk Events API (events and profile reads)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
