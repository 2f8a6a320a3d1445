"""docs/low-level-client.md stays true to the generated package it documents: every tag's
module is named, and a count of the operations, if the page gives one, is the real one."""

from __future__ import annotations

import re
from pathlib import Path

from tests.contract._operations import OPERATION_MODULES

PAGE = Path(__file__).resolve().parents[2] / "docs" / "low-level-client.md"


def test_the_page_names_every_tag_module_of_the_generated_package() -> None:
    text = PAGE.read_text()
    tags = sorted({name.split(".")[2] for name in OPERATION_MODULES})
    missing = [tag for tag in tags if f".{tag}`" not in text and f"api.{tag}" not in text]
    assert missing == []


def test_a_count_of_the_operations_is_the_real_one() -> None:
    counts = re.findall(r"(\d+) operations", PAGE.read_text())
    assert all(int(count) == len(OPERATION_MODULES) for count in counts), counts
