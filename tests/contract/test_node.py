"""Which Node.js the other-language contract runs on (tests/contract/_node.py): one the
pinned tools run on, or a skip that says what was found."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract import _node


def fake_node(folder: Path, version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``node`` that reports ``version`` and an ``npm`` beside it, first on PATH."""
    for name, text in (("node", f"#!/bin/sh\necho {version}\n"), ("npm", "#!/bin/sh\n")):
        script = folder / name
        script.write_text(text, encoding="utf-8")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))


@pytest.mark.parametrize("version", ["v16.20.2", "v18.20.4", "v20.18.3", "v20.9.0"])
def test_a_node_older_than_the_pinned_tools_need_is_a_skip_that_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    # The lock's tools declare 20.19+ (redocly, chokidar, readdirp; orval and hey-api say
    # 22.18, and run on 20.19+): an older node would fail their runs, not skip them.
    fake_node(tmp_path, version, monkeypatch)
    with pytest.raises(pytest.skip.Exception, match=f"20.19\\+ needed, found '{version}'"):
        _node.node_and_npm()


@pytest.mark.parametrize("version", ["v20.19.0", "v20.20.2", "v22.18.0", "v24.1.0"])
def test_a_node_the_pinned_tools_run_on_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    fake_node(tmp_path, version, monkeypatch)
    assert _node.node_and_npm() == (str(tmp_path / "node"), str(tmp_path / "npm"))


def test_no_node_is_a_skip_that_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.skip.Exception, match=r"Node\.js \(node and npm\) not found"):
        _node.node_and_npm()
