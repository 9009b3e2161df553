"""`python -m productai_notebook.emulator`: serve the ProductAI emulator until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading

from ..contract import RATE_LIMITS_PER_MINUTE
from .faults import parse_faults
from .server import DEFAULT_API_KEY, LIST_ORDERS, Emulator


def _job_seconds(text: str) -> tuple[float, float]:
    low, sep, high = text.partition(":")
    try:
        values = (float(low), float(high if sep else low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not MIN:MAX seconds") from None
    if not 0 <= values[0] <= values[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: need 0 <= MIN <= MAX")
    return values


def _faults(text: str) -> str:
    try:
        parse_faults(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m productai_notebook.emulator",
        description="A local ProductAI API on loopback. A prompt containing #fail makes its job fail.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    p.add_argument("--api-key", default=DEFAULT_API_KEY, help="the key of the default account")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--db", help="SQLite file: jobs, assets and credits survive restarts")
    where.add_argument("--memory", action="store_true", help="keep everything in memory (the default)")
    p.add_argument("--plan", choices=tuple(RATE_LIMITS_PER_MINUTE), default="pro")
    p.add_argument("--credits", type=int, default=None, help="credits of a new default account")
    p.add_argument("--job-seconds", type=_job_seconds, default=(3.0, 10.0), metavar="MIN:MAX")
    p.add_argument("--rate-limit", type=int, default=None, metavar="N", help="requests/min for every plan")
    p.add_argument(
        "--rate-window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="the sliding window the rate limit counts over (shorter to test pacing quickly)",
    )
    vague = p.add_argument_group("a stricter or vaguer server than documented")
    vague.add_argument(
        "--no-rate-limit-headers",
        dest="rate_limit_headers",
        action="store_false",
        help="send no X-RateLimit-* headers (Retry-After stays on a 429)",
    )
    vague.add_argument(
        "--list-order", choices=LIST_ORDERS, default="newest", help="order of GET /v1/jobs pages"
    )
    vague.add_argument(
        "--no-list-progress", dest="list_progress", action="store_false", help="list items carry no progress"
    )
    vague.add_argument(
        "--estimate-error",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="make estimated_time_seconds wrong by up to this share either way, e.g. 0.5",
    )
    p.add_argument(
        "--faults",
        type=_faults,
        default=None,
        help="e.g. 500:0.1,429:0.05,reset:0.02,slow:0.05@3s,garbage:0.02; garbage, 502_after, "
        "reset_after and timeout_after[@60s] spoil the answer after the request was handled "
        "(a job stays created)",
    )
    p.add_argument("--webhook-secret", default=None, help="signs webhooks (default: the API key)")
    p.add_argument("--seed", type=int, default=0)
    return p


def _cannot_listen(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is in use; pass --port 0 for a free one"
    return f"cannot listen on {host} port {port}: {exc.strerror or exc}"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    extra = {} if args.credits is None else {"credits": args.credits}
    emulator = Emulator(
        api_key=args.api_key,
        plan=args.plan,
        job_seconds=args.job_seconds,
        seed=args.seed,
        rate_limit=args.rate_limit,
        faults=args.faults,
        webhook_secret=args.webhook_secret,
        db=None if args.memory else args.db,
        host=args.host,
        port=args.port,
        rate_window=args.rate_window,
        rate_limit_headers=args.rate_limit_headers,
        list_order=args.list_order,
        list_progress=args.list_progress,
        estimate_error=args.estimate_error,
        **extra,
    )
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    try:
        emulator.start()
    except OSError as exc:
        print(_cannot_listen(args.host, args.port, exc), file=sys.stderr)
        return 1
    # The key is printed on purpose: it is the emulator's own, and the user needs it to connect.
    print(f"ProductAI emulator at {emulator.base_url}  (API key: {emulator.api_key})", flush=True)
    while not stopping.wait(0.5):
        pass
    emulator.stop()
    print("ProductAI emulator stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
