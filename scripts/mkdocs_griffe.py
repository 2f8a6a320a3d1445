"""A griffe extension for the API reference (mkdocs.yml, mkdocstrings' ``extensions``).

The docstrings are read by people in editors and by ``help()`` as well as by the site, so
they name other objects the way Sphinx does (``:class:`~zdevents.errors.ConfigurationError```),
which Markdown would show as a stray ``:class:``. Each such role becomes the code span of the
name it shows (the last part after ``~``), as Sphinx would show it.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension

ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|exc|mod|data|obj|const):`(~?)([^`]+)`")


def _shown(match: re.Match[str]) -> str:
    target = match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if match.group(1) else target}`"


class SphinxRoles(Extension):
    """Sphinx cross-reference roles in docstrings, as Markdown code spans."""

    def on_object(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_shown, obj.docstring.value)
