from typing import Literal

AuthorizeCodeChallengeMethod = Literal["S256"]

AUTHORIZE_CODE_CHALLENGE_METHOD_VALUES: set[AuthorizeCodeChallengeMethod] = {
    "S256",
}


def check_authorize_code_challenge_method(value: str) -> AuthorizeCodeChallengeMethod:
    if value in AUTHORIZE_CODE_CHALLENGE_METHOD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {AUTHORIZE_CODE_CHALLENGE_METHOD_VALUES!r}"
    )
