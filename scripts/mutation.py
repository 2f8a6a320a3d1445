"""``make mutation``: mutmut over the library's core modules (one mutmut run for the modules
asked for), the score of each, and ``docs/mutation.md``.

    scripts/mutation.py [--jobs N] [--open] [--report] [--show] [MODULE ...]
    scripts/mutation.py --pinned

MODULE is a name such as ``_retry`` (default: every file of ``only_mutate`` in
``[tool.mutmut]``). ``--open`` re-runs only the mutants of a module that are not killed yet
(after new tests, or after the library changed: mutmut resets the functions that changed);
``--report`` runs nothing and prints the last results; ``--show`` prints the diff of every
mutant that survived. Every run, and ``--report``, writes ``docs/mutation.md``: the scores
of every core module as the last runs left them, with when, on which commit, on what machine
and under what load each was measured (``mutants/MODULE.run.json``). ``--jobs`` is mutmut's
``--max-children`` (default 1: the machines are
small and shared).

``--pinned`` runs the hand-made mutants of ``tests/mutation-pinned.toml`` instead: one for
each gap issue 15 names, some of which mutmut cannot make (it mutates function bodies only,
not module constants such as the set of retried statuses). Each is applied to a copy of the
package and must make the tests it names fail.

Score = (killed + timeout + equivalent) / mutants. A surviving mutant counts as equivalent
only when ``tests/mutation-equivalents.md`` lists it, with the line the mutant changes and
why no test can tell it from the original; an entry whose line no longer matches the mutant
(the function changed, so mutmut renumbered its mutants) is stale and counts as survived.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The project's venv, else the one running this script (a worktree sharing another's venv).
MUTMUT = ROOT / ".venv" / "bin" / "mutmut"
if not MUTMUT.exists():
    MUTMUT = Path(sys.executable).parent / "mutmut"
EQUIVALENTS = ROOT / "tests" / "mutation-equivalents.md"
PINNED = ROOT / "tests" / "mutation-pinned.toml"
TARGET = 90.0

# mutmut's exit codes (mutmut/stats.py, status_by_exit_code), as this report groups them.
KILLED = {1, 3}
TIMEOUT = {36, -24, 24, 152, 255}
STATUS = {0: "survived", 5: "no tests", 33: "no tests", None: "not checked", 34: "skipped"}
# "- `zdevents._retry.x_foo__mutmut_3` `+ mutated line` — why it is equivalent"
_ENTRY = re.compile(r"^- `(?P<name>[^`]+)` `(?P<line>.*)` — (?P<reason>.+)$")


def core_files() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return list(config["only_mutate"])


def module_of(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def pick(names: list[str]) -> list[str]:
    files = core_files()
    if not names:
        return files
    chosen = []
    for name in names:
        stem = name.removesuffix(".py").rpartition("/")[2].rpartition(".")[2]
        matches = [f for f in files if Path(f).stem == stem]
        if not matches:
            sys.exit(f"mutation: {name!r} is not a core module ({', '.join(files)})")
        chosen += matches
    return chosen


def results(path: str) -> dict[str, int | None]:
    meta = ROOT / "mutants" / (path + ".meta")
    if not meta.exists():
        return {}
    exit_codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    return exit_codes


def status(code: int | None) -> str:
    if code in KILLED:
        return "killed"
    if code in TIMEOUT:
        return "timeout"
    return STATUS.get(code, "suspicious")


def equivalents() -> dict[str, tuple[str, str]]:
    found = {}
    for line in EQUIVALENTS.read_text().splitlines() if EQUIVALENTS.exists() else []:
        match = _ENTRY.match(line)
        if match:
            found[match["name"]] = (match["line"].strip(), match["reason"])
    return found


def diff(name: str, path: str) -> str:
    # mutmut's own reader: the original function and the mutant, as a unified diff.
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return get_diff_for_mutant(name, path=path)


def added_lines(text: str) -> set[str]:
    return {
        line[1:].strip()
        for line in text.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    }


def _record_path(path: str) -> Path:
    return ROOT / "mutants" / f"{module_of(path)}.run.json"


def run(paths: list[str], jobs: int, only_open: bool) -> None:
    """One mutmut run over the mutants of ``paths`` (one run: mutmut checks the whole suite
    passes before it starts, minutes on a small machine)."""
    names: list[str] = []
    for path in paths:
        module = module_of(path)
        if only_open:
            codes = results(path)
            todo = [n for n, code in codes.items() if status(code) not in ("killed", "timeout")]
            print(f"{module}: {len(todo)} open mutants" if todo else f"{module}: nothing open")
            names += todo
        else:
            print(f"{module}: all mutants")
            names.append(f"{module}.*")
    if not names:
        return
    sys.stdout.flush()
    log = ROOT / "mutants" / "mutmut.log"
    log.parent.mkdir(exist_ok=True)
    # What the scores are measured on, for the docs page (mutmut's results say nothing of
    # it); written first, so that a run cut short says when it started.
    started = {"started": _now(), "load_before": _load(), "open_only": only_open}
    for path in paths:
        record = {**started, "commit": _commit(path)}
        previous = _run_record(path)
        if only_open and "finished" in previous and not previous.get("open_only"):
            # The full run stays the record; the re-run of its open mutants is noted in it.
            record = {**previous, "reopened": record}
        _record_path(path).write_text(json.dumps(record))
    # tests/_mutmut_plugin.py: mutmut's copies of public methods get their module back.
    options = f"{os.environ.get('PYTEST_ADDOPTS', '')} -p tests._mutmut_plugin".strip()
    # Each mutant is a pytest session, and pytest keeps only the newest three of the numbered
    # temporary folders every session of the user shares (/tmp/pytest-of-USER): beside a
    # `make test` (or a second mutation run) it removed a folder a test was still using, and
    # the clean run failed. The run's sessions get a temporary root of their own.
    with log.open("w") as out, tempfile.TemporaryDirectory(prefix="zdevents-mutation-") as tmp:
        done = subprocess.run(
            [str(MUTMUT), "run", "--max-children", str(jobs), *names],
            cwd=ROOT,
            env={**os.environ, "PYTEST_ADDOPTS": options, "TMPDIR": tmp},
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        tail = log.read_text(errors="replace").replace("\r", "\n").splitlines()[-30:]
        print("\n".join(tail))
        sys.exit(f"mutation: mutmut failed (exit {done.returncode}); log: {log}")
    for path in paths:
        record = json.loads(_record_path(path).read_text())
        ended = {"finished": _now(), "load_after": _load()}
        if "reopened" in record:
            record["reopened"].update(ended)
        else:
            record.update(ended)
        _record_path(path).write_text(json.dumps(record, indent=1))


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def _commit(path: str) -> str:
    """The commit of the tree measured, ``+ changes`` when the module or the tests differ
    from it."""
    commit = _git("rev-parse", "--short=10", "HEAD") or "unknown"
    if _git("status", "--porcelain", "--", path, "tests"):
        commit += " + changes"
    return commit


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or platform.machine() or "unknown"


def _run_record(path: str) -> dict[str, object]:
    try:
        data: dict[str, object] = json.loads(_record_path(path).read_text())
    except (OSError, ValueError):
        return {}
    return data


PAGE = ROOT / "docs" / "mutation.md"


def write_page(paths: list[str]) -> None:
    """``docs/mutation.md``: the scores of every core module, as the last runs left them,
    with when, on which commit, on what machine and under what load each was measured."""
    rows, _, stale = scores(paths)
    lines = [
        "# Mutation scores",
        "",
        "Written by `make mutation` (`scripts/mutation.py`, also with `--report`) from the",
        "results mutmut left in `mutants/`; never edit by hand. Score = (killed + timeout +",
        "equivalent) / mutants; a survivor counts as equivalent only when",
        "`tests/mutation-equivalents.md` lists it with the line it changes and why no test can",
        f"tell it from the original. The target is {TARGET:.0f}%.",
        "",
        f"Page written {_now()} on a machine with {os.cpu_count()} CPUs ({_cpu_model()}),",
        f"load average {_load()} (1 / 5 / 15 min).",
        "",
        "| module | mutants | killed | timeout | equiv. | survived | no tests | score | "
        "measured | commit | load (start / end, 1 min) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|---|---|",
    ]
    for (module, total, counts, score), path in zip(rows, paths, strict=True):
        run = _run_record(path)
        if not total:
            lines.append(f"| `{module}` | | | | | | | not run | | | |")
            continue
        if not run:
            when = "before run records were kept"
        elif "finished" in run:
            when = str(run["finished"])
        else:
            when = f"started {run['started']}, cut short"
        if run.get("open_only"):
            when += " (open mutants only)"
        reopened = run.get("reopened")
        if isinstance(reopened, dict):
            again = reopened.get("finished") or f"started {reopened.get('started')}, cut short"
            when += f"; its open mutants again {again} on {reopened.get('commit')}"
        load = ""
        if run:
            load = f"{str(run['load_before']).split(' / ')[0]} / "
            load += str(run.get("load_after", "?")).split(" / ")[0]
        lines.append(
            f"| `{module}` | {total} | {counts['killed']} | {counts['timeout']} | "
            f"{counts['equivalent']} | {counts['survived']} | {counts['no tests']} | "
            f"{score:.1f}% | {when} | {run.get('commit', 'unknown')} | {load} |"
        )
    if stale:
        lines += ["", f"{len(stale)} stale entries in `tests/mutation-equivalents.md` "
                  "(counted as survived)."]  # fmt: skip
    PAGE.parent.mkdir(exist_ok=True)
    PAGE.write_text("\n".join(lines) + "\n")


Row = tuple[str, int, Counter[str], float]


def scores(paths: list[str]) -> tuple[list[Row], list[tuple[str, str, str]], list[str]]:
    """Per module: (name, mutants, counts by kind, score); the open mutants; stale entries."""
    listed = equivalents()
    rows: list[Row] = []
    open_mutants: list[tuple[str, str, str]] = []
    stale: list[str] = []
    for path in paths:
        codes = results(path)
        counts: Counter[str] = Counter()
        still_open: list[tuple[str, str, str]] = []
        for name, code in codes.items():
            kind = status(code)
            if kind == "survived" and name in listed:
                line, _ = listed[name]
                if line in added_lines(diff(name, path)):
                    kind = "equivalent"
                else:
                    stale.append(name)
            counts[kind] += 1
            if kind not in ("killed", "timeout", "equivalent"):
                still_open.append((name, path, kind))
        # Mutants made but never checked (mutmut generates every module's at once): a module
        # none of whose mutants ran has no score yet.
        total = 0 if counts["not checked"] == len(codes) else sum(counts.values())
        good = counts["killed"] + counts["timeout"] + counts["equivalent"]
        score = 100.0 * good / total if total else 0.0
        rows.append((module_of(path), total, counts, score))
        open_mutants += still_open if total else []
    return rows, open_mutants, stale


def report(paths: list[str], show: bool) -> bool:
    rows, open_mutants, stale = scores(paths)

    header = f"{'module':<22}{'mutants':>8}{'killed':>8}{'timeout':>8}{'equiv.':>8}"
    header += f"{'survived':>9}{'no tests':>9}{'other':>7}{'score':>8}"
    print(header)
    ok = True
    for module, total, counts, score in rows:
        other = total - sum(
            counts[k] for k in ("killed", "timeout", "equivalent", "survived", "no tests")
        )
        mark = "" if total and score >= TARGET else "  < 90%" if total else "  (not run)"
        ok = ok and bool(total) and score >= TARGET
        print(
            f"{module:<22}{total:>8}{counts['killed']:>8}{counts['timeout']:>8}"
            f"{counts['equivalent']:>8}{counts['survived']:>9}{counts['no tests']:>9}"
            f"{other:>7}{score:>7.1f}%{mark}"
        )
    for name in stale:
        print(f"stale entry in {EQUIVALENTS.name} (the mutant changed): {name}")
    if show:
        for name, path, kind in open_mutants:
            print(f"\n# {name}: {kind}\n{diff(name, path)}")
    elif open_mutants:
        print(f"{len(open_mutants)} mutants open; --show prints their diffs")
    return ok


def pinned() -> bool:
    """Apply each hand-made mutant to a copy of the package; its tests must fail."""
    mutants = tomllib.loads(PINNED.read_text())["mutant"]
    failed = 0
    for number, mutant in enumerate(mutants, 1):
        with tempfile.TemporaryDirectory(prefix="zdevents-pinned-") as tmp:
            copy = Path(tmp)
            shutil.copytree(ROOT / "zdevents", copy / "zdevents")
            shutil.copytree(ROOT / "tests", copy / "tests")
            shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
            target = copy / mutant["file"]
            source = target.read_text()
            found = source.count(mutant["old"])
            if found != 1:
                verdict = f"STALE (the text to change is in {mutant['file']} {found} times)"
            else:
                target.write_text(source.replace(mutant["old"], mutant["new"]))
                # Run in the copy: its zdevents comes first on sys.path.
                done = subprocess.run(
                    [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                     *mutant["tests"]],
                    cwd=copy, capture_output=True, text=True, check=False,
                )  # fmt: skip
                verdict = "killed" if done.returncode == 1 else f"SURVIVED (exit {done.returncode})"
        failed += verdict != "killed"
        print(f"{number:>3} {verdict:<10} {mutant['gap']}")
        sys.stdout.flush()
    print(f"{len(mutants) - failed} of {len(mutants)} hand-made mutants killed")
    return failed == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATION_JOBS", "1")))
    parser.add_argument("--open", action="store_true", help="re-run only mutants not killed")
    parser.add_argument("--report", action="store_true", help="run nothing, print the results")
    parser.add_argument("--show", action="store_true", help="print the diffs of open mutants")
    parser.add_argument("--pinned", action="store_true", help="run tests/mutation-pinned.toml")
    args = parser.parse_args()
    if args.pinned:
        return 0 if pinned() else 1
    paths = pick(args.modules)
    os.chdir(ROOT)  # mutmut reads its config and mutants/ from the working directory
    if not args.report:
        run(paths, args.jobs, args.open)
    ok = report(paths, args.show)
    write_page(core_files())
    print(f"written {PAGE.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
