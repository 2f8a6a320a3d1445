from typing import Literal

AuthorizationCodeGrantGrantType = Literal["authorization_code"]

AUTHORIZATION_CODE_GRANT_GRANT_TYPE_VALUES: set[AuthorizationCodeGrantGrantType] = {
    "authorization_code",
}


def check_authorization_code_grant_grant_type(
    value: str,
) -> AuthorizationCodeGrantGrantType:
    if value in AUTHORIZATION_CODE_GRANT_GRANT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {AUTHORIZATION_CODE_GRANT_GRANT_TYPE_VALUES!r}"
    )
