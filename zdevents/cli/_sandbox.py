"""``zdevents sandbox``: the local Events API server of :mod:`zdevents.sandbox`, which owns
its options (parsed there) and its signal handling; imported only when it runs."""

from __future__ import annotations

import importlib
from typing import Any

from ._messages import error
from ._parser import COMMANDS


def add_parser(commands: Any) -> None:
    """Name ``sandbox`` among the ``zdevents`` subcommands (its options are its own)."""
    commands.add_parser(
        "sandbox",
        help=COMMANDS["sandbox"].help,
        add_help=False,
        # Never shown (zdevents sandbox --help is the sandbox's own); the top-level help
        # takes its example from here.
        epilog="examples:\n  zdevents sandbox --port 8765 --seed demo\n",
    )


def run(argv: list[str]) -> int:
    """Run ``zdevents sandbox`` with its own ``argv``; the exit status."""
    try:
        module = importlib.import_module("zdevents.sandbox")
        sandbox_main = module.main
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("zdevents"):
            raise
        error(
            f"the sandbox needs extra packages ({exc.name} is missing): "
            "pip install 'zdevents[sandbox]'"
        )
        return 2
    return int(sandbox_main(argv, prog="zdevents sandbox"))
