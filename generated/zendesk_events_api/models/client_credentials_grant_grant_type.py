from typing import Literal

ClientCredentialsGrantGrantType = Literal["client_credentials"]

CLIENT_CREDENTIALS_GRANT_GRANT_TYPE_VALUES: set[ClientCredentialsGrantGrantType] = {
    "client_credentials",
}


def check_client_credentials_grant_grant_type(
    value: str,
) -> ClientCredentialsGrantGrantType:
    if value in CLIENT_CREDENTIALS_GRANT_GRANT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CLIENT_CREDENTIALS_GRANT_GRANT_TYPE_VALUES!r}"
    )
