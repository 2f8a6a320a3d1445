"""``make mutation``: mutmut over the library's core modules, one module at a time, and the
score of each.

    scripts/mutation.py [--jobs N] [--open] [--report] [--show] [MODULE ...]
    scripts/mutation.py --pinned

MODULE is a name such as ``_retry`` (default: every file of ``only_mutate`` in
``[tool.mutmut]``). ``--open`` re-runs only the mutants of a module that are not killed yet
(after new tests, or after the library changed: mutmut resets the functions that changed);
``--report`` runs nothing and prints the last results; ``--show`` prints the diff of every
mutant that survived. ``--jobs`` is mutmut's ``--max-children`` (default 1: the machines are
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
import json
import os
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


def run(path: str, jobs: int, only_open: bool) -> None:
    module = module_of(path)
    if only_open:
        codes = results(path)
        names = [n for n, code in codes.items() if status(code) not in ("killed", "timeout")]
        if not names:
            print(f"{module}: nothing open")
            return
    else:
        names = [f"{module}.*"]
    log = ROOT / "mutants" / f"{module}.log"
    log.parent.mkdir(exist_ok=True)
    print(f"{module}: running {'all mutants' if not only_open else f'{len(names)} open mutants'}")
    sys.stdout.flush()
    # tests/_mutmut_plugin.py: mutmut's copies of public methods get their module back.
    options = f"{os.environ.get('PYTEST_ADDOPTS', '')} -p tests._mutmut_plugin".strip()
    with log.open("w") as out:
        done = subprocess.run(
            [str(MUTMUT), "run", "--max-children", str(jobs), *names],
            cwd=ROOT,
            env={**os.environ, "PYTEST_ADDOPTS": options},
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        tail = log.read_text(errors="replace").replace("\r", "\n").splitlines()[-30:]
        print("\n".join(tail))
        sys.exit(f"mutation: mutmut failed on {module} (exit {done.returncode}); log: {log}")


def report(paths: list[str], show: bool) -> bool:
    listed = equivalents()
    rows, open_mutants, stale = [], [], []
    for path in paths:
        codes = results(path)
        counts: Counter[str] = Counter()
        for name, code in codes.items():
            kind = status(code)
            if kind not in ("killed", "timeout") and name in listed:
                line, _ = listed[name]
                if line in added_lines(diff(name, path)):
                    kind = "equivalent"
                else:
                    stale.append(name)
            counts[kind] += 1
            if kind not in ("killed", "timeout", "equivalent"):
                open_mutants.append((name, path, kind))
        total = sum(counts.values())
        good = counts["killed"] + counts["timeout"] + counts["equivalent"]
        score = 100.0 * good / total if total else 0.0
        rows.append((module_of(path), total, counts, score))

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
        for path in paths:
            run(path, args.jobs, args.open)
    return 0 if report(paths, args.show) else 1


if __name__ == "__main__":
    sys.exit(main())
