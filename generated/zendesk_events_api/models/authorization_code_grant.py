from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.authorization_code_grant_grant_type import (
    AuthorizationCodeGrantGrantType,
    check_authorization_code_grant_grant_type,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthorizationCodeGrant")


@_attrs_define
class AuthorizationCodeGrant:
    grant_type: AuthorizationCodeGrantGrantType
    code: str
    client_id: str
    redirect_uri: str
    client_secret: str | Unset = UNSET
    code_verifier: str | Unset = UNSET
    scope: str | Unset = UNSET
    expires_in: int | Unset = UNSET
    refresh_token_expires_in: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grant_type: str = self.grant_type

        code = self.code

        client_id = self.client_id

        redirect_uri = self.redirect_uri

        client_secret = self.client_secret

        code_verifier = self.code_verifier

        scope = self.scope

        expires_in = self.expires_in

        refresh_token_expires_in = self.refresh_token_expires_in

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "grant_type": grant_type,
                "code": code,
                "client_id": client_id,
                "redirect_uri": redirect_uri,
            }
        )
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret
        if code_verifier is not UNSET:
            field_dict["code_verifier"] = code_verifier
        if scope is not UNSET:
            field_dict["scope"] = scope
        if expires_in is not UNSET:
            field_dict["expires_in"] = expires_in
        if refresh_token_expires_in is not UNSET:
            field_dict["refresh_token_expires_in"] = refresh_token_expires_in

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        if not isinstance(src_dict, Mapping):
            raise TypeError(
                f"{cls.__name__} is built from a JSON object, not {type(src_dict).__name__}"
            )
        d = dict(src_dict)
        grant_type = check_authorization_code_grant_grant_type(d.pop("grant_type"))

        code = d.pop("code")

        client_id = d.pop("client_id")

        redirect_uri = d.pop("redirect_uri")

        client_secret = d.pop("client_secret", UNSET)

        code_verifier = d.pop("code_verifier", UNSET)

        scope = d.pop("scope", UNSET)

        expires_in = d.pop("expires_in", UNSET)

        refresh_token_expires_in = d.pop("refresh_token_expires_in", UNSET)

        authorization_code_grant = cls(
            grant_type=grant_type,
            code=code,
            client_id=client_id,
            redirect_uri=redirect_uri,
            client_secret=client_secret,
            code_verifier=code_verifier,
            scope=scope,
            expires_in=expires_in,
            refresh_token_expires_in=refresh_token_expires_in,
        )

        authorization_code_grant.additional_properties = d
        return authorization_code_grant

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
