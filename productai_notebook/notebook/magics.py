"""`%productai`: list, open, wait for and generate jobs from a notebook line.

Each subcommand has its own argparse parser whose errors become one `UsageError` line:
a typo never prints a traceback or ends the kernel. `%productai --help` lists them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import display
from IPython.utils.process import arg_split
from traitlets import Float, Int

from .. import contract
from .._config import config
from ..api import Batch, JobTimeoutError, ProductAIError
from ..sandbox import current_client, sandbox, use
from .jobs_table import NO_CLIENT, JobsTable

if TYPE_CHECKING:
    from ..api import ProductAI

SUBCOMMANDS = {
    "jobs": "list jobs as a table",
    "job": "show one job",
    "wait": "wait until jobs end",
    "generate": "start a generation job",
    "batch": "open a batch by its name (nothing made is paid again); no name lists them",
    "me": "your plan and credits",
    "budget": "the account's rate limit, its use and what waits",
    "sandbox": "use the local emulator (no key needed)",
    "studio": "a form that makes a batch, its cost shown before sending",
    "config": "the connection in use",
}


class _HelpShown(Exception):
    """argparse printed a help text: the command is done, nothing else to run."""


class _Parser(argparse.ArgumentParser):
    """An argparse parser that reports a bad line as one UsageError instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message, end="")
        raise _HelpShown


def _whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"{minimum} or more"
            raise argparse.ArgumentTypeError(f"must be {bounds}, not {value}")
        return value

    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def parse_since(text: str) -> datetime:
    """An ISO date or date-time; without a zone it means the local time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO date or time (like 2024-01-15 or 2024-01-15T10:30:00Z)"
        ) from None
    return moment if moment.tzinfo is not None else moment.astimezone()


def redact(key: str | None) -> str:
    """Enough of an API key to tell keys apart, never enough to use one."""
    if not key:
        return "not set"
    return f"{key[:4]}\u2026" if len(key) >= 12 else "set"


def _parsers(default_limit: int) -> dict[str, _Parser]:
    def parser(name: str, usage_note: str = "") -> _Parser:
        return _Parser(prog=f"%productai {name}", description=SUBCOMMANDS[name] + usage_note)

    jobs = parser("jobs", ". --model and --since filter the listed jobs here: the API cannot.")
    jobs.add_argument("--status", choices=contract.STATUS_FILTERS, default="all")
    jobs.add_argument("--limit", type=_whole_number(1, contract.MAX_LIST_LIMIT), default=default_limit,
                      help=f"jobs per page (default {default_limit})")
    # --all reads from the newest job on: an offset into it would be silently ignored, so refuse both
    paging = jobs.add_mutually_exclusive_group()
    paging.add_argument("--offset", type=_whole_number(0), default=0, help="jobs to skip")
    paging.add_argument("--all", action="store_true", help="fetch every matching job, page after page")
    jobs.add_argument("--model", choices=contract.MODELS,
                      help="only jobs of this model (filtered here: the API has no model filter)")
    jobs.add_argument("--since", type=parse_since, metavar="DATE", help="only jobs created at or after DATE")

    job = parser("job")
    job.add_argument("job_id", metavar="ID")

    wait = parser("wait")
    wait.add_argument("job_ids", metavar="ID", nargs="+")
    wait.add_argument("--timeout", type=_seconds, default=None, metavar="S", help="give up after S seconds")

    generate = parser("generate")
    source = generate.add_mutually_exclusive_group(required=True)
    source.add_argument("--image-url", metavar="U", help="a public http(s) URL of the input image")
    source.add_argument("--asset", metavar="A", help="the id of an uploaded asset")
    source.add_argument("--file", metavar="PATH", help="a local image to upload first")
    generate.add_argument("--prompt", required=True, metavar="P")
    generate.add_argument("--model", choices=contract.MODELS, default=contract.DEFAULT_MODEL)
    image_count = _whole_number(contract.MIN_NUM_IMAGES, contract.MAX_NUM_IMAGES)
    generate.add_argument("--num-images", type=image_count, default=contract.DEFAULT_NUM_IMAGES, metavar="N")
    generate.add_argument("--aspect-ratio", choices=tuple(contract.ASPECT_RATIOS),
                          default=contract.DEFAULT_ASPECT_RATIO, metavar="R")

    batch = parser("batch")
    batch.add_argument("name", metavar="NAME", nargs="?")

    return {"jobs": jobs, "job": job, "wait": wait, "generate": generate, "batch": batch,
            "me": parser("me"), "budget": parser("budget"), "sandbox": parser("sandbox"),
            "config": parser("config"), "studio": parser("studio")}


def _overview() -> str:
    lines = ["Usage: %productai SUBCOMMAND [options]   (%productai SUBCOMMAND --help for its options)", ""]
    lines += [f"  {name:<10}{summary}" for name, summary in SUBCOMMANDS.items()]
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


@magics_class
class ProductAIMagics(Magics):
    """The `%productai` line magic; `%config ProductAIMagics.default_limit = 50` changes its defaults."""

    default_limit = Int(
        contract.DEFAULT_LIST_LIMIT, min=1, max=contract.MAX_LIST_LIMIT,
        help="Jobs per page of %productai jobs.",
    ).tag(config=True)
    default_timeout = Float(
        600.0, help="Seconds `%productai wait` waits when no --timeout is given."
    ).tag(config=True)

    @line_magic
    def productai(self, line: str) -> Any:
        """The ProductAI API: `%productai SUBCOMMAND ...` (`%productai --help` lists them)."""
        try:
            words = arg_split(line, posix=True)
        except ValueError as exc:  # shlex: "No closing quotation", "No escaped character"
            problem = f"unbalanced quote or trailing backslash in the line ({exc})"
            raise UsageError(f"%productai: {problem}") from None
        if not words or words[0] in ("-h", "--help", "help"):
            print(_overview())
            return None
        name, rest = words[0], words[1:]
        parsers = _parsers(self.default_limit)
        if name not in parsers:
            raise UsageError(f"%productai: unknown subcommand {name!r}; try one of: {', '.join(SUBCOMMANDS)}")
        try:
            args = parsers[name].parse_args(rest)
        except _HelpShown:
            return None
        run: Callable[[argparse.Namespace], Any] = getattr(self, f"_{name}")
        try:
            return run(args)
        except ProductAIError as exc:
            raise UsageError(f"%productai {name}: {_one_line(str(exc))}") from None

    # -- subcommands --------------------------------------------------------------------

    def _client(self) -> ProductAI:
        client = current_client()
        if client is None:
            raise UsageError(NO_CLIENT)
        return client

    def _jobs(self, args: argparse.Namespace) -> JobsTable:
        table = JobsTable(self._client(), status=args.status, model=args.model or "all", limit=args.limit,
                          offset=args.offset, since=args.since, fetch_all=args.all)
        if table.error:
            message = _one_line(table.error)
            table.close()
            raise UsageError(f"%productai jobs: {message}")
        return table

    def _job(self, args: argparse.Namespace) -> Any:
        return self._client().jobs.get(args.job_id)

    def _wait(self, args: argparse.Namespace) -> None:
        client = self._client()
        jobs = [client.jobs.get(job_id) for job_id in args.job_ids]
        timeout = args.timeout if args.timeout is not None else self.default_timeout
        try:
            client.jobs.wait_all(jobs, timeout=timeout)
        except JobTimeoutError:
            unfinished = ", ".join(job.id for job in jobs if not job.is_terminal)
            raise UsageError(
                f"%productai wait: still running after {timeout:g} s: {unfinished} "
                "(they go on; wait again or pass a larger --timeout)"
            ) from None
        for job in jobs:
            display(job)

    def _generate(self, args: argparse.Namespace) -> Any:
        client = self._client()
        asset_id = args.asset
        if args.file:
            asset_id = client.assets.upload(args.file).asset_id
        return client.generate(
            model=args.model, prompt=args.prompt, image_url=args.image_url, asset_id=asset_id,
            num_images=args.num_images, aspect_ratio=args.aspect_ratio,
        )

    def _batch(self, args: argparse.Namespace) -> Any:
        folder = Path(config.batch_dir)
        if args.name is None:
            names = sorted(path.stem for path in folder.glob("*.json")) if folder.is_dir() else []
            print(f"Batches in {folder}: {', '.join(names)}" if names else f"No batches in {folder} yet.")
            return None
        return Batch.open(args.name, self._client(), batch_dir=folder)

    def _me(self, _args: argparse.Namespace) -> None:
        account = self._client().me()
        credits = ", ".join(f"{count} {kind}" for kind, count in account.credits.items()) or "none"
        print(f"{account.email or account.id}: plan {account.plan or 'unknown'}, credits: {credits}")
        self._budget(_args)

    def _budget(self, _args: argparse.Namespace) -> None:
        print(self._client().budget().describe())

    def _sandbox(self, _args: argparse.Namespace) -> None:
        client = use(sandbox())
        print(f"%productai now uses the local emulator at {client.base_url} (no key needed).")

    def _studio(self, _args: argparse.Namespace) -> Any:
        from .studio import Studio

        return Studio(self._client())

    def _config(self, _args: argparse.Namespace) -> None:
        client = self._client()
        print(f"base URL: {client.base_url}")
        print(f"API key:  {redact(client.settings.api_key)}")


def load_ipython_extension(ipython: Any) -> None:
    magics = ProductAIMagics(shell=ipython)
    ipython.register_magics(magics)
    # %config finds configurable objects in this list.
    ipython.configurables.append(magics)


def unload_ipython_extension(ipython: Any) -> None:
    ipython.magics_manager.magics["line"].pop("productai", None)
    ipython.configurables[:] = [c for c in ipython.configurables if not isinstance(c, ProductAIMagics)]
    from ..api import current_tracker

    tracker = current_tracker()  # close the running one; never start one just to close it
    if tracker is not None:
        tracker.close()
