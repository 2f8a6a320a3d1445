"""A client library for accessing Zendesk Events API (read routes)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
