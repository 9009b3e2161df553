"""`Emulator`: the ProductAI emulator served by uvicorn from a background thread, on loopback."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from ..contract import RATE_LIMITS_PER_MINUTE
from .app import create_app
from .endpoint import Settings
from .faults import FaultInjector, parse_faults
from .ratelimit import WINDOW_SECONDS, RateLimiter
from .store import Store
from .webhooks import WebhookWorker
from .wire import HttpProtocol

DEFAULT_API_KEY = "pk_test_emulator"
DEFAULT_CREDITS = 1_000_000  # enough for test suites that create hundreds of jobs
START_TIMEOUT_SECONDS = 30.0
#: "newest": GET /v1/jobs newest first, as documented here; "shuffled": each page in random order
LIST_ORDERS = ("newest", "shuffled")


class Emulator:
    """A local ProductAI API. `with Emulator() as emu:` then talk to `emu.base_url` with `emu.api_key`."""

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        plan: str = "pro",
        job_seconds: tuple[float, float] = (3.0, 10.0),
        seed: int = 0,
        rate_limit: int | None = None,
        faults: str | None = None,
        webhook_secret: str | None = None,
        db: str | None = None,
        credits: int = DEFAULT_CREDITS,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_window: float = WINDOW_SECONDS,
        rate_limit_headers: bool = True,
        list_order: str = "newest",
        list_progress: bool = True,
        estimate_error: float = 0.0,
    ) -> None:
        if list_order not in LIST_ORDERS:
            raise ValueError(f"list_order must be one of {', '.join(LIST_ORDERS)}, not {list_order!r}")
        if not 0 <= estimate_error < 1:
            raise ValueError(f"estimate_error must be a share in [0, 1), not {estimate_error!r}")
        if plan not in RATE_LIMITS_PER_MINUTE:
            raise ValueError(f"plan must be one of {', '.join(RATE_LIMITS_PER_MINUTE)}, not {plan!r}")
        low, high = job_seconds
        if not 0 <= low <= high:
            raise ValueError(f"job_seconds must be (min, max) with 0 <= min <= max, not {job_seconds!r}")
        self.api_key = api_key
        self._host, self._port = host, port
        self._store = Store(db)
        self._store.ensure_account(api_key, plan, credits, webhook_secret)
        self._webhooks = WebhookWorker(self._store, lambda: self.origin)
        self._settings = settings = Settings(
            store=self._store,
            seed=seed,
            job_seconds=(low, high),
            rate_limit=rate_limit,
            faults=FaultInjector(parse_faults(faults or ""), seed),
            webhooks=self._webhooks,
            origin=lambda: self.origin,
            limiter=RateLimiter(rate_window),
            rate_limit_headers=rate_limit_headers,
            list_order=list_order,
            list_progress=list_progress,
            estimate_error=estimate_error,
        )
        self._server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings),
                http=HttpProtocol,
                log_config=None,
                log_level="warning",
                lifespan="off",
                access_log=False,
            )
        )
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._stopped = False

    @property
    def origin(self) -> str:
        """Where the emulator answers: "http://127.0.0.1:PORT"."""
        if self._socket is None:
            raise RuntimeError("The emulator is not started: call start() or use it in a with block")
        host = "127.0.0.1" if self._host in ("0.0.0.0", "") else self._host  # noqa: S104
        host = "[::1]" if host == "::" else (f"[{host}]" if ":" in host else host)
        return f"http://{host}:{self._port}"

    @property
    def base_url(self) -> str:
        """The API root to give a client: "http://127.0.0.1:PORT/v1"."""
        return self.origin + "/v1"

    def fail_next(self, kind: str, route: str = "POST /v1/generate") -> None:
        """The next request to `route` suffers the fault `kind` (see `faults.KINDS`), e.g.
        `fail_next("502_after")`: the next create stores its job, then answers 502."""
        self._settings.faults.next_on(route, kind)

    def start(self) -> Emulator:
        """Serve from a background thread; once stopped, an Emulator cannot start again (make a new one)."""
        if self._thread is not None:
            return self
        if self._stopped:
            raise RuntimeError("This emulator was stopped; create a new Emulator (same db= to keep its data)")
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this: without it Nagle + delayed ACK add 40 ms to every keep-alive answer.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self._socket.bind((self._host, self._port))
        except OSError:  # the port is taken: the caller may try another, and this socket must not linger
            self._socket.close()
            self._socket = None
            raise
        # the port bound, kept: the webhook worker may still ask for the origin after stop() closed the socket
        self._port = self._socket.getsockname()[1]
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="productai-emulator",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The emulator did not start")
            time.sleep(0.01)
        self._webhooks.start()
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(10.0)
        self._webhooks.stop()
        if self._socket is not None:
            self._socket.close()
        self._store.close()
        self._thread = None
        self._stopped = True

    def add_account(
        self,
        api_key: str,
        plan: str = "pro",
        credits: int = DEFAULT_CREDITS,
        webhook_secret: str | None = None,
    ) -> None:
        """Another account, isolated from the others (it sees only its own jobs and assets)."""
        if plan not in RATE_LIMITS_PER_MINUTE:
            raise ValueError(f"plan must be one of {', '.join(RATE_LIMITS_PER_MINUTE)}, not {plan!r}")
        self._store.set_account(api_key, plan, credits, webhook_secret)

    def requests(self, api_key: str | None = None) -> dict[str, dict[str, int]]:
        """The API requests sent with `api_key` (the default account's by default) so far, as
        `{"statuses": {"200": n, "429": n, "0": dropped, ...}, "routes": {"get_job": n, ...}}`
        (routes by handler: generate, list_jobs, get_job, me, upload_asset, list_assets)."""
        return self._settings.counts.of(self.api_key if api_key is None else api_key)

    def prompts_made(self, api_key: str | None = None) -> list[str | None]:
        """The prompt of every job the account has, oldest first, read from the store (no request, no
        fault): a prompt that shows twice is a create that made its job twice."""
        return self._store.prompts_of(self.api_key if api_key is None else api_key)

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        """Every webhook attempt so far, oldest first: url, event, job_id, status_code, error, attempt,
        body (the exact bytes sent, as text), signature, at (epoch seconds)."""
        return self._store.webhook_deliveries()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._socket is not None else "not started"
        return f"<Emulator {where}>"
