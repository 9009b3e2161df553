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
    python bench/mutation.py --js-only       # js/lib only
    python bench/mutation.py --js-file js/lib/rows.js   # one file, merged into js/lib's results

A js/lib survivor is explained in EXPLAINED_JS, by the code it changed.
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
    r"scheduler\.xǁSchedulerǁ(_spare_for_shown_ends__mutmut_23|at_its_end__mutmut_3)$": (
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
# why a js/lib survivor is no test's fault, by file, then by the code the mutant changed
# (whitespace collapsed), or by "<code> -> <replacement>" where only that replacement is meant.
# A survivor not listed is reported unexplained ("why_left": null). "equivalent": no input the
# widgets get behaves otherwise; "left": it differs only for input the kernel never sends.
NEVER_NULL = "left: guards a null job, and the kernel's cells are always objects (board_cell)"
BOUND = "equivalent: the board's units() is 0 outside the grid (no job there): the bound spares a lookup"
SORT_ORDER = (
    "left: same order on V8 (Chrome, VS Code, the tests' Node), whose stable sort asks compare(later, "
    "earlier) and moves a row ahead only on a negative answer (checked up to 300 rows); the explicit "
    "order is for engines that ask the other way round"
)
ONE_TYPE = "equivalent: a column holds one type, blanks sort before, numeric localeCompare orders integers"
NOT_SENT = (
    "equivalent: a create gets its job id exactly when it is sent (stage created): a queued or "
    "sending create never has one, so !job_id alone decides"
)
PARSERS_REFUSE = (
    "equivalent: times and URLs arrive as strings or null, and Date.parse and new URL refuse null, "
    "undefined and '' by themselves (the guard spares an exception, not a different answer)"
)
SAME_AT_EDGE = "equivalent: at the very edge both branches give the same scroll position"
RATE = "left: the kernel sends the rate as {} or as a limit and a window both > 0 (_rate_and_budget)"
NOT_A_NUMBER = "equivalent: Number.isFinite is false for anything not a number"
EXPLAINED_JS: dict[str, dict[str, str]] = {
    "js/lib/board_header.js": {
        **dict.fromkeys(
            ["cell?.stage", "cell?.status", "cell?.images", "cell?.credits", "cell?.estimate"], NEVER_NULL
        ),
        "rate?.window": "equivalent: `rate?.limit > 0` already proved rate is there",
        **dict.fromkeys(["rate?.limit > 0", "rate?.window > 0", "rate?.limit > 0 && rate?.window > 0"], RATE),
        "NOT_SENT.has(cell.stage) || !cell.job_id": NOT_SENT,
        '["queued", "sending"]': NOT_SENT,
        '"queued"': NOT_SENT,
        '"sending"': NOT_SENT,
        'typeof seconds !== "number"': NOT_A_NUMBER,
    },
    "js/lib/board_layout.js": {
        "cell?.at": NEVER_NULL,
        '"" -> "Stryker was here!"': "equivalent: the kernel's axis labels are strings, never null",
        "[]": "left: the kernel always sends the three axes and each job's `at` (board_cell)",
        "axes && Array.isArray(axes[axis])": "left: the kernel always sends the three axes, as lists",
        "grid[at[r]] && at[c] in grid[at[r]]": (
            "left: a job's `at` is its place on the same axes the kernel sends, so always inside the grid"
        ),
    },
    "js/lib/board_picks.js": {
        **dict.fromkeys(["cell?.picks", "cell?.images"], NEVER_NULL),
        "[]": "equivalent: a pick that is not a number fails `index >= 0`: nothing is picked",
        "index >= 0": "left: job.picks refuses a negative index (_pick_index): none reaches the page",
    },
    "js/lib/filenames.js": {
        '""': "equivalent: a made-up suffix or type is no image's, so it falls back as '' does",
        "/\\.[^./]*$/.exec(new URL(url).pathname)?.[0]": (
            "equivalent: no match throws inside the try, which leaves the suffix empty, as ?? does"
        ),
    },
    "js/lib/progress.js": {
        "linear <= EASE_FROM": "equivalent: the easing is continuous at 90 (both branches give 90)",
        "shown <= EASE_FROM": "equivalent: the inverse easing is continuous at 90 (both branches give 90)",
        'typeof estimatedSeconds === "number"': (
            "equivalent: the estimate is a number or null; null > 0 is false too"
        ),
    },
    "js/lib/roving_focus.js": dict.fromkeys(
        [
            "column < columns",
            "row < rows",
            "position.row < rows",
            "position.column < columns",
            "position.row < rows && position.column < columns",
        ],
        BOUND,
    ),
    "js/lib/rows.js": {
        **dict.fromkeys(['typeof a === "number"', 'typeof b === "number"'], ONE_TYPE),
        'typeof a === "number" && typeof b === "number"': ONE_TYPE,
        **dict.fromkeys(
            ["a.value === null && b.value === null", "b.value === null", "a.position - b.position"],
            SORT_ORDER,
        ),
    },
    "js/lib/studio_form.js": {
        '"" -> "Stryker was here!"': (
            "equivalent: a single name is joined with no separator; the plan only sets the sending "
            "time, which whyNotSendable does not read"
        ),
        "[]": "equivalent: a model name the rules do not list is not a known model either",
    },
    "js/lib/time.js": {
        'typeof iso !== "string" || iso === ""': PARSERS_REFUSE,
        'typeof iso !== "string"': PARSERS_REFUSE,
        'iso === ""': PARSERS_REFUSE,
        '""': PARSERS_REFUSE,
        'typeof seconds !== "number"': NOT_A_NUMBER,
    },
    "js/lib/urls.js": {
        'typeof value !== "string" || value === ""': PARSERS_REFUSE,
        'typeof value !== "string"': PARSERS_REFUSE,
        'value === ""': PARSERS_REFUSE,
        '""': PARSERS_REFUSE,
    },
    "js/lib/windowing.js": {
        **dict.fromkeys(
            [
                "top < scrollTop",
                "bottom > scrollTop + viewportHeight - headerHeight",
                "left - offset < scrollLeft",
                "right > scrollLeft + viewportWidth",
            ],
            SAME_AT_EDGE,
        ),
        "column < widths.length": (
            "equivalent: the extra turn past the end has no width: it sets only the defaults again"
        ),
        "right > scrollLeft": "left: at the exact edge one more column is drawn, just out of view",
    },
}


def run_stryker(files: list[str]) -> dict[str, dict[str, Any]]:
    """Stryker over js/lib (or over `files` only); each file's count and survivors."""
    command = ["npx", "stryker", "run", *(["--mutate", ",".join(files)] if files else [])]
    subprocess.run(command, cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return stryker_files()


def _changed_code(source: str, location: dict[str, Any]) -> str:
    lines = source.splitlines(keepends=True)
    start, end = location["start"], location["end"]
    text = "".join(lines[start["line"] - 1 : end["line"]])
    # columns are 1-based; cut the last line first so the first line's offset still holds
    text = text[: len(text) - len(lines[end["line"] - 1]) + end["column"] - 1]
    return " ".join(text[start["column"] - 1 :].split())


def explained_js(file: str, original: str, replacement: str) -> str | None:
    reasons = EXPLAINED_JS.get(file, {})
    return reasons.get(f"{original} -> {' '.join(replacement.split())}") or reasons.get(original)


def stryker_files() -> dict[str, dict[str, Any]]:
    """Stryker's JSON report by file: mutants, killed (a mutant no test covers survives too)."""
    caught = {"Killed", "Timeout"}
    invalid = {"CompileError", "RuntimeError"}  # a mutant that cannot run is no test's miss
    by_file = {}
    for path, report in json.loads(STRYKER_REPORT.read_text())["files"].items():
        file = Path(path).relative_to(ROOT).as_posix() if Path(path).is_absolute() else path
        valid = [m for m in report["mutants"] if m["status"] not in invalid]
        survivors = []
        for m in valid:
            if m["status"] in caught:
                continue
            original = _changed_code(report["source"], m["location"])
            survivors.append({
                "line": m["location"]["start"]["line"],
                "mutator": m["mutatorName"],
                "original": original,
                "replacement": m.get("replacement"),
                "status": m["status"],
                "why_left": explained_js(file, original, m.get("replacement") or ""),
            })
        by_file[file] = {"mutants": len(valid), "killed": len(valid) - len(survivors), "survivors": survivors}
    return by_file


def js_result(files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    mutants = sum(f["mutants"] for f in files.values())
    killed = sum(f["killed"] for f in files.values())
    survivors = [{"file": file, **s} for file, f in sorted(files.items()) for s in f["survivors"]]
    return {
        "mutants": mutants,
        "killed": killed,
        "score": round(killed / mutants, 3) if mutants else None,
        "unexplained": sum(1 for s in survivors if not s["why_left"]),
        "date": datetime.date.today().isoformat(),
        "files": {name: {key: f[key] for key in ("mutants", "killed")} for name, f in sorted(files.items())},
        "survivors": survivors,
    }


def previous_js_files(js_lib: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The last run's files, to merge a run over some files into."""
    files = {file: {**counts, "survivors": []} for file, counts in js_lib.get("files", {}).items()}
    for survivor in js_lib.get("survivors", []):
        if survivor["file"] in files:
            files[survivor["file"]]["survivors"].append({k: v for k, v in survivor.items() if k != "file"})
    return files


def main(modules: list[str], js: bool, js_files: list[str]) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    # modules no longer mutated (renamed, split) leave the file
    results["python"] = {name: r for name, r in results.get("python", {}).items() if name in MODULES}
    for module in modules:
        print(f"mutmut: {module} ...", flush=True)
        results["python"][module] = module_result(run_mutmut(MODULES[module]))
        print(f"  score {results['python'][module]['score']}", flush=True)
    if modules:
        results["date"] = datetime.date.today().isoformat()
    if js:
        print(f"stryker: {', '.join(js_files) or 'js/lib'} ...", flush=True)
        files = previous_js_files(results.get("js_lib", {})) if js_files else {}
        results["js_lib"] = js_result({**files, **run_stryker(js_files)})
        js_lib = results["js_lib"]
        print(f"  score {js_lib['score']}, unexplained {js_lib['unexplained']}", flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)} (default: all)")
    parser.add_argument("--no-js", action="store_true")
    parser.add_argument("--js-only", action="store_true", help="Stryker only, no mutmut")
    parser.add_argument("--js-file", action="append", default=[], metavar="js/lib/FILE.js",
                        help="Stryker over this file only, merged into the last js/lib results (repeatable)")
    args = parser.parse_args()
    unknown = sorted(set(args.modules) - set(MODULES))
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}: choose from {', '.join(MODULES)}")
    js_only = args.js_only or bool(args.js_file)
    main([] if js_only else args.modules or list(MODULES), not args.no_js, args.js_file)
