from typing import Literal

RefreshTokenGrantGrantType = Literal["refresh_token"]

REFRESH_TOKEN_GRANT_GRANT_TYPE_VALUES: set[RefreshTokenGrantGrantType] = {
    "refresh_token",
}


def check_refresh_token_grant_grant_type(value: str) -> RefreshTokenGrantGrantType:
    if value in REFRESH_TOKEN_GRANT_GRANT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {REFRESH_TOKEN_GRANT_GRANT_TYPE_VALUES!r}"
    )
