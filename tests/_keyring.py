"""A real keyring backend that works headless and across processes, for the tests of
``ZDEVENTS_LOGIN_STORE=keyring``: passwords in one JSON file named by
``ZDEVENTS_TEST_KEYRING``, replaced atomically. Chosen in a child process with
``PYTHON_KEYRING_BACKEND=tests._keyring.FileKeyring``, in the test's own with
``keyring.set_keyring``."""

from __future__ import annotations

import json
import os
from typing import Any

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def file(self) -> str:
        return os.environ["ZDEVENTS_TEST_KEYRING"]

    def _read(self) -> dict[str, Any]:
        try:
            with open(self.file, encoding="utf-8") as f:
                data: dict[str, Any] = json.load(f)
                return data
        except FileNotFoundError:
            return {}

    def _write(self, data: dict[str, Any]) -> None:
        temp = f"{self.file}.{os.getpid()}.tmp"
        with open(temp, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(temp, self.file)

    def get_password(self, service: str, username: str) -> str | None:
        value = self._read().get(f"{service}\n{username}")
        return value if isinstance(value, str) else None

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[f"{service}\n{username}"] = password
        self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError("no such password")
        self._write(data)


class BrokenKeyring(KeyringBackend):
    """A keyring whose every call fails, echoing what it was given."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError(f"locked: {service} {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"locked: {password}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("locked")
