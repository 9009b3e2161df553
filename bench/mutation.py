"""`make mutation`: which lines of the pure modules no test holds. Scores and survivors to
bench/results/mutation.json.

mutmut (configured in pyproject.toml's [tool.mutmut]) mutates the engine's pure modules and the
redaction, one module at a time (a run per module stays a few minutes on 2 cores), against the
tests that need no emulator; Stryker (stryker.config.json) mutates js/lib against vitest. A
survivor is a change to the code that no test noticed: each one left is either a test to write or
an equivalent mutant, explained in EXPLAINED (by mutant name; a name that stops matching is listed
unexplained again).

    python bench/mutation.py                 # every module, then js/lib
    python bench/mutation.py pacing redact   # some modules only (merged into the results file)
    python bench/mutation.py --no-js
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "mutation.json"
MUTMUT = Path(sys.executable).parent / "mutmut"
# module -> mutant names (fnmatch): `api*.` matches the module in api/ or in api/engine/
MODULES = {
    "pacing": "productai_notebook.api.engine.pacing.*",
    "listings": "productai_notebook.api.engine.listings.*",
    "reserve": "productai_notebook.api.engine.reserve.*",
    "scheduler": "productai_notebook.api.engine.scheduler.*",
    "lost_creates": "productai_notebook.api._lost_creates.*",
    "redact": "productai_notebook.api._redact.*",
}
KILLED = {"killed", "timeout", "segfault"}  # mutmut counts a hang or a crash as caught
# why a survivor is no test's fault: the mutant behaves as the original does (equivalent), or it
# changes only wording that belongs to another part's owner
EXPLAINED = {
    r"scheduler\.xǁSchedulerǁ_spare_for_shown_ends__mutmut_23$": (
        "equivalent: expected_finish reads `now` only before a first look, and every Follow "
        "is looked at (observed) when new_follow makes it"
    ),
    r"_redact\.x__install_log_filter__mutmut_\d+$": (
        "runs once at import, before mutmut switches a mutant on, so no mutant of it ever runs; "
        "the log tests fail without the filters it installs"
    ),
    r"pacing\.xǁPacerǁ_background_slot_at__mutmut_8$": (
        "equivalent: `moment >= now` adds `now`, already the list's first moment"
    ),
    r"listings\.x_newest_first__mutmut_(12|15)$": (
        "equivalent: zip's strict=None or no strict is strict=False"
    ),
    r"listings\.xǁStatusListingsǁlistings__mutmut_12$": (
        "equivalent: only `is False` is read, so '' and None both mean not asked yet"
    ),
    r"_lost_creates\.xǁLostCreateǁ__init____mutmut_(15|16)$": (
        "equivalent: the first page taken sets it, and a search always takes one before its outcome"
    ),
    r"_lost_creates\.xǁLostCreateǁlisting_failed__mutmut_7$": (
        "equivalent: searched=None is as false as searched=False"
    ),
    r"_lost_creates\.xǁCreatesǁwait_for_sending__mutmut_7$": (
        "equivalent: the create waiting is searching, never sending, so it never counts itself"
    ),
    r"_lost_creates\.x__unsure_rival__mutmut_(2|5)$": (
        "equivalent: a create under way has its send time and an unsure one its end by then; "
        "the guard is for the type checker"
    ),
}


def run_mutmut(pattern: str) -> dict[str, str]:
    """mutmut over the mutants matching `pattern`; their statuses by name."""
    subprocess.run([str(MUTMUT), "run", "--max-children", "1", pattern], cwd=ROOT, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listing = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
    regex = re.compile("^" + re.escape(pattern).replace(r"\*", ".*") + "$")
    statuses = {}
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if regex.match(name):
            statuses[name] = status
    return statuses


def diff_of(name: str) -> str:
    shown = subprocess.run([str(MUTMUT), "show", name], cwd=ROOT, capture_output=True, text=True).stdout
    return "\n".join(line for line in shown.splitlines() if line.startswith(("- ", "+ ")))


def explained(name: str) -> str | None:
    for pattern, why in EXPLAINED.items():
        if why and re.search(pattern, name):
            return why
    return None


def module_result(statuses: dict[str, str]) -> dict[str, Any]:
    survivors = [name for name, status in statuses.items() if status not in KILLED]
    killed = len(statuses) - len(survivors)
    return {
        "mutants": len(statuses),
        "killed": killed,
        "score": round(killed / len(statuses), 3) if statuses else None,
        "survivors": [
            {"mutant": name, "status": statuses[name], "diff": diff_of(name), "why_left": explained(name)}
            for name in sorted(survivors)
        ],
    }


STRYKER_REPORT = ROOT / "mutants" / "stryker.json"


def run_stryker() -> dict[str, Any]:
    subprocess.run(["npx", "stryker", "run"], cwd=ROOT, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return stryker_result()


def stryker_result() -> dict[str, Any]:
    """Stryker's JSON report as a score and its survivors (a mutant no test covers is one too)."""
    files = json.loads(STRYKER_REPORT.read_text())["files"]
    mutants = [(path, m) for path, f in files.items() for m in f["mutants"]]
    caught = {"Killed", "Timeout"}
    invalid = {"CompileError", "RuntimeError"}  # a mutant that cannot run is no test's miss
    survivors = [(path, m) for path, m in mutants if m["status"] not in caught | invalid]
    valid = [m for _, m in mutants if m["status"] not in invalid]
    killed = sum(1 for m in valid if m["status"] in caught)
    return {
        "mutants": len(valid),
        "killed": killed,
        "score": round(killed / len(valid), 3) if valid else None,
        "survivors": [
            {
                "file": Path(path).relative_to(ROOT).as_posix() if Path(path).is_absolute() else path,
                "line": m["location"]["start"]["line"],
                "mutator": m["mutatorName"],
                "replacement": m.get("replacement"),
                "status": m["status"],
            }
            for path, m in survivors
        ],
    }


def main(modules: list[str], js: bool) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    # modules no longer mutated (renamed, split) leave the file
    results["python"] = {name: r for name, r in results.get("python", {}).items() if name in MODULES}
    for module in modules:
        print(f"mutmut: {module} ...", flush=True)
        results["python"][module] = module_result(run_mutmut(MODULES[module]))
        print(f"  score {results['python'][module]['score']}", flush=True)
    if js:
        print("stryker: js/lib ...", flush=True)
        results["js_lib"] = run_stryker()
        print(f"  score {results['js_lib']['score']}", flush=True)
    results["date"] = datetime.date.today().isoformat()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)} (default: all)")
    parser.add_argument("--no-js", action="store_true")
    args = parser.parse_args()
    unknown = sorted(set(args.modules) - set(MODULES))
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}: choose from {', '.join(MODULES)}")
    main(args.modules or list(MODULES), not args.no_js)
