"""The examples of README.md and docs/, run by Sybil against one sandbox with the demo data.

Sybil finds the fenced blocks (and the ``<!-- skip: next "..." -->`` directives that mark a
block as only illustrative); this module says how each kind runs:

- ``python``: executed in-process, in a namespace shared by the blocks of its page (a page
  reads top to bottom, so a later block may use what an earlier one made);
- ``python title="NAME"``: a file the reader is asked to create; written as NAME into the
  page's folder, where a later shell block uses it (e.g. runs pytest on it);
- ``sh``/``bash``/``shell``: run by bash (``set -euo pipefail``), the whole block;
  ``console``: the lines after a ``$ `` prompt (and their ``\\`` continuations) are run, the
  other lines are output and only shown.

Each page gets its own folder (the working directory of its blocks) and its own environment:
the sandbox's address and its confidential OAuth client's credentials, ``ZDEVENTS_HOME`` and
``HOME`` in that folder, and proxies set to a closed loopback port, so that an example that
would reach the network fails instead. What a block exports (in bash or through
``os.environ``) holds for the blocks after it on the same page. Pages address the sandbox as
``http://127.0.0.1:8765`` (what ``zdevents sandbox --port 8765`` serves); that address is
replaced by the test sandbox's own before a block runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Example, Region, Sybil
from sybil.evaluators.python import pad
from sybil.parsers.abstract import AbstractCodeBlockParser
from sybil.parsers.markdown import SkipParser
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

ROOT = Path(__file__).resolve().parents[2]

#: How pages address the sandbox: what `zdevents sandbox --port 8765` serves.
DOCUMENTED_SANDBOX = "http://127.0.0.1:8765"

#: Fenced-block languages that run, and those that are data or output and never run.
PYTHON = "python"
SHELLS = ("sh", "bash", "shell")
CONSOLE = "console"
NOT_RUN = ("text", "json", "jsonl", "csv", "cron", "sql", "toml", "yaml", "ini", "diff")

#: A closed port on loopback: an example that tries to leave the machine fails at once.
NO_NETWORK_PROXY = "http://127.0.0.1:9"

#: Hosts reached directly (curl, like zdevents, goes to loopback without a proxy).
LOOPBACK = "localhost,127.0.0.1,::1"

#: Seconds one shell block may take.
SHELL_TIMEOUT = 120

_TITLE = re.compile(r'^python\s+title="(?P<name>[\w.-]+)"$')


class Examples:
    """The session's sandbox and a folder per page."""

    def __init__(self, base_url: str, oauth_client_id: str, oauth_secret: str, tmp: Path):
        self.base_url = base_url
        self.oauth_client_id = oauth_client_id
        self.oauth_secret = oauth_secret
        self.tmp = tmp

    def page_state(self, document: Document) -> PageState:
        name = Path(document.path).relative_to(ROOT).as_posix().replace("/", "-")
        folder = self.tmp / name.removesuffix(".md")
        folder.mkdir(parents=True, exist_ok=True)
        home = folder / ".home"
        home.mkdir(exist_ok=True)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ZENDESK_", "ZDEVENTS_", "PYTEST_", "COV_"))
            and key.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
        }
        env.update(
            ZENDESK_BASE_URL=self.base_url,
            ZENDESK_OAUTH_CLIENT_ID=self.oauth_client_id,
            ZENDESK_OAUTH_CLIENT_SECRET=self.oauth_secret,
            ZDEVENTS_HOME=str(home / ".config" / "zdevents"),
            HOME=str(home),
            HTTP_PROXY=NO_NETWORK_PROXY,
            HTTPS_PROXY=NO_NETWORK_PROXY,
            ALL_PROXY=NO_NETWORK_PROXY,
            http_proxy=NO_NETWORK_PROXY,
            https_proxy=NO_NETWORK_PROXY,
            NO_PROXY=LOOPBACK,
            no_proxy=LOOPBACK,
            # dlt (`zdevents load`) would send usage statistics: not from the tests.
            RUNTIME__DLTHUB_TELEMETRY="false",
            # ... and keep its pipelines in /var/dlt when run as root: here, in the page's folder.
            DLT_DATA_DIR=str(home / ".dlt"),
            # `zdevents` on the PATH is this interpreter's (the checkout's venv).
            PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        )
        if "PYTHONPATH" in os.environ:  # a worktree's checkout before the installed one
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        return PageState(folder, env)

    def substitute(self, source: str) -> str:
        return source.replace(DOCUMENTED_SANDBOX, self.base_url)


class PageState:
    """The working folder and environment of one page's examples."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The page's environment and folder for an in-process block; what the block changes
        in ``os.environ`` is kept for the next one."""
        saved_env = dict(os.environ)
        saved_cwd = Path.cwd()
        os.environ.clear()
        os.environ.update(self.env)
        os.chdir(self.folder)
        try:
            yield
        finally:
            self.env = dict(os.environ)
            os.environ.clear()
            os.environ.update(saved_env)
            os.chdir(saved_cwd)


def _context(example: Example) -> tuple[Examples, PageState]:
    namespace = example.namespace
    examples: Examples = namespace["docs_examples"]
    state = namespace.get("__page_state__")
    if state is None:
        state = namespace["__page_state__"] = examples.page_state(example.document)
    return examples, state


def run_python(example: Example) -> None:
    __tracebackhide__ = True
    examples, state = _context(example)
    source = pad(examples.substitute(example.parsed), example.line + example.parsed.line_offset)
    code = compile(source, example.path, "exec", dont_inherit=True)
    with state.active():
        exec(code, example.namespace)  # noqa: S102 - the documentation's own example
    example.namespace.pop("__builtins__", None)


def write_file(example: Example) -> None:
    examples, state = _context(example)
    name = example.region.lexemes["arguments"]
    match = _TITLE.match(name)
    assert match is not None
    (state.folder / match["name"]).write_text(examples.substitute(example.parsed), "utf-8")


def console_commands(text: str) -> str:
    """The commands of a ``console`` block: lines after a ``$ `` prompt, with the lines
    that a trailing backslash continues; everything else is output."""
    commands: list[str] = []
    continued = False
    for line in text.splitlines():
        if continued:
            commands.append(line)
        elif line.startswith("$ "):
            commands.append(line[2:])
        else:
            continue
        continued = line.endswith("\\")
    return "\n".join(commands) + "\n"


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _run_bash(example: Example, script: str) -> None:
    __tracebackhide__ = True
    examples, state = _context(example)
    env_file = state.folder / ".env-after"
    full = (
        "set -euo pipefail\n"
        + examples.substitute(script)
        + f"\nenv -0 > {shlex.quote(str(env_file))}\n"
    )
    # Its own session, so that whatever the block leaves running (a `cmd &`) or is running
    # when it times out is stopped with it.
    process = subprocess.Popen(
        ["bash", "-c", full],
        cwd=state.folder,
        env=state.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=SHELL_TIMEOUT)
    except subprocess.TimeoutExpired:
        _stop_group(process)
        pytest.fail(f"{example.path}, line {example.line}: the block ran over {SHELL_TIMEOUT} s")
    _stop_group(process)
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    sys.stdout.write(done.stdout.decode("utf-8", "replace"))
    sys.stderr.write(done.stderr.decode("utf-8", "replace"))
    if done.returncode != 0:
        pytest.fail(
            f"{example.path}, line {example.line}: the block exited {done.returncode}\n"
            + done.stderr.decode("utf-8", "replace")[-2000:],
            pytrace=False,
        )
    entries = env_file.read_bytes().split(b"\0")
    state.env = dict(
        entry.decode("utf-8", "surrogateescape").split("=", 1) for entry in entries if b"=" in entry
    )
    env_file.unlink()


def run_shell(example: Example) -> None:
    __tracebackhide__ = True
    _run_bash(example, str(example.parsed))


def run_console(example: Example) -> None:
    __tracebackhide__ = True
    _run_bash(example, console_commands(str(example.parsed)))


def not_run(example: Example) -> None:
    """A block of another language (TypeScript, say) that no skip directive marks."""
    info = example.region.lexemes["arguments"].strip()
    pytest.fail(
        f"{example.path}, line {example.line}: a ```{info} block is not run here: mark it "
        '<!-- skip: next "illustrative: why" --> (see CONTRIBUTING.md)',
        pytrace=False,
    )


def _other_language(info: str) -> bool:
    return not re.fullmatch(RUN_PATTERN, info) and info not in NOT_RUN


#: The info strings of the blocks that run.
RUN_PATTERN = r'python|python\s+title="[\w.-]+"|sh|bash|shell|console'


class BlockParser(AbstractCodeBlockParser):
    """Fenced blocks whose info string matches ``pattern`` (or satisfies ``accept``),
    evaluated by ``evaluator``."""

    def __init__(self, pattern: str, evaluator: Any, accept: Any = None) -> None:
        super().__init__(
            [
                FencedCodeBlockLexer(
                    language=r".+", mapping={"language": "arguments", "source": "source"}
                )
            ],
            language=pattern,
            evaluator=evaluator,
        )
        pattern_ = re.compile(pattern)
        self._accept = accept or (lambda info: pattern_.fullmatch(info) is not None)

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexers(document):
            if self._accept(region.lexemes["arguments"].strip()):
                region.parsed = region.lexemes["source"]
                region.evaluator = self._evaluator
                yield region


#: The xdist group of every example: one worker runs them all, in order (see PageSybil).
GROUP = "docs-examples"


class PageSybil(Sybil):
    """Sybil, with each example's test id ending ``@docs-examples``: ``--dist loadgroup``
    sends every test whose id ends ``@NAME`` to one worker, in order, so that one sandbox
    serves all examples and each page's blocks share their namespace. (The id is where
    xdist reads the group: an ``xdist_group`` mark set after collection does not reach it
    under pytest 9.)"""

    def identify(self, example: Example) -> str:
        return f"{super().identify(example)}@{GROUP}"


sybil = PageSybil(
    parsers=[
        BlockParser("python", run_python),
        BlockParser(r'python\s+title="[\w.-]+"', write_file),
        BlockParser("sh|bash|shell", run_shell),
        BlockParser("console", run_console),
        # Another language: examples too, so that a skip directive before one is used up by
        # it (and not by the next block that runs); unmarked, it fails.
        BlockParser("other", not_run, accept=_other_language),
        SkipParser(),
    ],
    path=str(ROOT),
    patterns=["README.md", "docs/*.md", "docs/**/*.md"],
    fixtures=["docs_examples"],
    name="docs",
)


@pytest.fixture(scope="session")
def docs_examples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Examples]:
    """One sandbox, with the demo data, for every example of every page."""
    from zdevents.sandbox import Sandbox

    with Sandbox(seed="demo") as sandbox:
        yield Examples(
            sandbox.base_url,
            sandbox.oauth_client_id,
            sandbox.oauth_client_secret,
            tmp_path_factory.mktemp("docs-examples"),
        )
