"""Contains all the data models used in inputs/outputs"""

from .authorization_code_grant import AuthorizationCodeGrant
from .authorization_code_grant_grant_type import AuthorizationCodeGrantGrantType
from .authorize_code_challenge_method import AuthorizeCodeChallengeMethod
from .authorize_response_type import AuthorizeResponseType
from .client_credentials_grant import ClientCredentialsGrant
from .client_credentials_grant_grant_type import ClientCredentialsGrantGrantType
from .current_token import CurrentToken
from .current_token_envelope import CurrentTokenEnvelope
from .error_item import ErrorItem
from .error_list_body import ErrorListBody
from .error_object_body import ErrorObjectBody
from .error_string_body import ErrorStringBody
from .errors_array_body import ErrorsArrayBody
from .event import Event
from .event_input import EventInput
from .event_input_properties import EventInputProperties
from .event_properties import EventProperties
from .events_page import EventsPage
from .identifier_input import IdentifierInput
from .link_item import LinkItem
from .meta import Meta
from .o_auth_error import OAuthError
from .profile import Profile
from .profile_attributes_type_0 import ProfileAttributesType0
from .profile_envelope import ProfileEnvelope
from .profile_identifier import ProfileIdentifier
from .profile_input import ProfileInput
from .profile_input_attributes_type_0 import ProfileInputAttributesType0
from .profile_list_envelope import ProfileListEnvelope
from .profile_patch import ProfilePatch
from .profile_patch_attributes import ProfilePatchAttributes
from .profile_patch_request import ProfilePatchRequest
from .profile_write_request import ProfileWriteRequest
from .refresh_token_grant import RefreshTokenGrant
from .refresh_token_grant_grant_type import RefreshTokenGrantGrantType
from .token_response import TokenResponse
from .track_event_by_profile_id_request import TrackEventByProfileIdRequest
from .track_event_request import TrackEventRequest
from .track_result import TrackResult
from .user import User
from .users_export_page import UsersExportPage

__all__ = (
    "AuthorizationCodeGrant",
    "AuthorizationCodeGrantGrantType",
    "AuthorizeCodeChallengeMethod",
    "AuthorizeResponseType",
    "ClientCredentialsGrant",
    "ClientCredentialsGrantGrantType",
    "CurrentToken",
    "CurrentTokenEnvelope",
    "ErrorItem",
    "ErrorListBody",
    "ErrorObjectBody",
    "ErrorStringBody",
    "ErrorsArrayBody",
    "Event",
    "EventInput",
    "EventInputProperties",
    "EventProperties",
    "EventsPage",
    "IdentifierInput",
    "LinkItem",
    "Meta",
    "OAuthError",
    "Profile",
    "ProfileAttributesType0",
    "ProfileEnvelope",
    "ProfileIdentifier",
    "ProfileInput",
    "ProfileInputAttributesType0",
    "ProfileListEnvelope",
    "ProfilePatch",
    "ProfilePatchAttributes",
    "ProfilePatchRequest",
    "ProfileWriteRequest",
    "RefreshTokenGrant",
    "RefreshTokenGrantGrantType",
    "TokenResponse",
    "TrackEventByProfileIdRequest",
    "TrackEventRequest",
    "TrackResult",
    "User",
    "UsersExportPage",
)
