"""SQLite persistence of accounts, jobs, assets and webhook deliveries (WAL, so a kill -9 loses nothing).

One connection shared by the server's event loop and the webhook worker, behind one lock: every
statement is short, and SQLite would serialise the writes anyway.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..contract import COMPLETED, FAILED, PENDING, PROCESSING
from .lifecycle import Timeline

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    api_key TEXT PRIMARY KEY, user_id TEXT NOT NULL, email TEXT NOT NULL, plan TEXT NOT NULL,
    credits INTEGER NOT NULL, webhook_secret TEXT
);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY, job_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
    model TEXT NOT NULL, num_images INTEGER NOT NULL, aspect_ratio TEXT NOT NULL,
    prompt TEXT, preset_id TEXT, image_url TEXT, asset_id TEXT, webhook_url TEXT,
    created_at REAL NOT NULL, started_at REAL NOT NULL, ends_at REAL NOT NULL, fails INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    webhook_attempts INTEGER NOT NULL DEFAULT 0, webhook_next_at REAL, webhook_done INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS jobs_by_user ON jobs (user_id, created_at DESC, seq DESC);
CREATE INDEX IF NOT EXISTS jobs_webhooks_due ON jobs (webhook_done, webhook_next_at);
CREATE TABLE IF NOT EXISTS assets (
    asset_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, name TEXT NOT NULL, format TEXT NOT NULL,
    width INTEGER NOT NULL, height INTEGER NOT NULL, file_size INTEGER NOT NULL, tags TEXT NOT NULL,
    created_at REAL NOT NULL, data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS assets_by_user ON assets (user_id, created_at DESC);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id INTEGER PRIMARY KEY, job_id TEXT NOT NULL, event TEXT NOT NULL, url TEXT NOT NULL,
    attempt INTEGER NOT NULL, status_code INTEGER, error TEXT, body TEXT NOT NULL,
    signature TEXT NOT NULL, at REAL NOT NULL
);
"""

# A job's status at time `now`, as SQL over its timeline (see lifecycle.status_at).
STATUS_SQL = {
    PENDING: "? < started_at",
    PROCESSING: "started_at <= ? AND ? < ends_at",
    COMPLETED: "ends_at <= ? AND fails = 0",
    FAILED: "ends_at <= ? AND fails = 1",
}


@dataclass(frozen=True)
class Account:
    api_key: str
    user_id: str
    email: str
    plan: str
    credits: int
    webhook_secret: str | None


@dataclass(frozen=True)
class JobRecord:
    seq: int
    job_id: str
    user_id: str
    model: str
    num_images: int
    aspect_ratio: str
    prompt: str | None
    preset_id: str | None
    image_url: str | None
    asset_id: str | None
    webhook_url: str | None
    timeline: Timeline
    tokens: int


@dataclass(frozen=True)
class AssetRecord:
    asset_id: str
    user_id: str
    name: str
    format: str
    width: int
    height: int
    file_size: int
    tags: list[str]
    created_at: float


class InsufficientCredits(Exception):
    def __init__(self, needed: int, available: int) -> None:
        super().__init__(f"needed {needed}, available {available}")
        self.needed = needed
        self.available = available


def user_id_for(api_key: str) -> str:
    """A stable account id that does not reveal the key."""
    return "user_" + hashlib.sha256(api_key.encode()).hexdigest()[:12]


class Store:
    def __init__(self, path: str | None) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives a process kill (only power loss could drop the last commits).
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # accounts

    def ensure_account(self, api_key: str, plan: str, credits: int, webhook_secret: str | None) -> None:
        """Create the account unless it exists: a restart keeps the credits it had."""
        user_id = user_id_for(api_key)
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO accounts VALUES (?, ?, ?, ?, ?, ?)",
                (api_key, user_id, f"{user_id}@emulator.invalid", plan, credits, webhook_secret),
            )

    def set_account(self, api_key: str, plan: str, credits: int, webhook_secret: str | None) -> None:
        user_id = user_id_for(api_key)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (api_key) DO UPDATE SET "
                "plan = excluded.plan, credits = excluded.credits, webhook_secret = excluded.webhook_secret",
                (api_key, user_id, f"{user_id}@emulator.invalid", plan, credits, webhook_secret),
            )

    def account(self, api_key: str) -> Account | None:
        rows = self._query("SELECT * FROM accounts WHERE api_key = ?", (api_key,))
        return Account(**dict(rows[0])) if rows else None

    def account_of_user(self, user_id: str) -> Account | None:
        rows = self._query("SELECT * FROM accounts WHERE user_id = ?", (user_id,))
        return Account(**dict(rows[0])) if rows else None

    # jobs

    def create_job(self, account: Account, cost: int, make: Callable[[int], JobRecord]) -> JobRecord:
        """Insert the job `make(seq)` builds and deduct its tokens, or raise InsufficientCredits.

        A job that will fail needs the credits but uses none (its `tokens` is 0).
        """
        with self._transaction() as db:
            (credits,) = db.execute(
                "SELECT credits FROM accounts WHERE api_key = ?", (account.api_key,)
            ).fetchone()
            if credits < cost:
                raise InsufficientCredits(cost, credits)
            (last_seq,) = db.execute("SELECT COALESCE(MAX(seq), 0) FROM jobs").fetchone()
            job = make(last_seq + 1)
            t, has_webhook = job.timeline, job.webhook_url is not None
            db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                (
                    job.seq,
                    job.job_id,
                    job.user_id,
                    job.model,
                    job.num_images,
                    job.aspect_ratio,
                    job.prompt,
                    job.preset_id,
                    job.image_url,
                    job.asset_id,
                    job.webhook_url,
                    t.created_at,
                    t.started_at,
                    t.ends_at,
                    int(t.fails),
                    job.tokens,
                    t.ends_at if has_webhook else None,
                    0 if has_webhook else 1,
                ),
            )
            db.execute(
                "UPDATE accounts SET credits = credits - ? WHERE api_key = ?", (job.tokens, account.api_key)
            )
        return job

    def job(self, user_id: str, job_id: str) -> JobRecord | None:
        rows = self._query("SELECT * FROM jobs WHERE job_id = ? AND user_id = ?", (job_id, user_id))
        return _job(rows[0]) if rows else None

    def prompts_of(self, api_key: str) -> list[str | None]:
        """The prompt of every job of the account, oldest first (a prompt twice: a job made twice)."""
        rows = self._query(
            "SELECT prompt FROM jobs JOIN accounts USING (user_id) WHERE api_key = ? ORDER BY seq", (api_key,)
        )
        return [row["prompt"] for row in rows]

    def job_by_id(self, job_id: str) -> JobRecord | None:
        rows = self._query("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def list_jobs(
        self, user_id: str, status: str, limit: int, offset: int, now: float
    ) -> tuple[list[JobRecord], int]:
        """One page of the user's jobs, newest first, and how many match in all."""
        where = "user_id = ?"
        params: list[Any] = [user_id]
        if status in STATUS_SQL:
            clause = STATUS_SQL[status]
            where += " AND " + clause
            params += [now] * clause.count("?")
        with self._lock:
            (total,) = self._db.execute(f"SELECT COUNT(*) FROM jobs WHERE {where}", params).fetchone()  # noqa: S608
            rows = self._db.execute(
                f"SELECT * FROM jobs WHERE {where} ORDER BY created_at DESC, seq DESC LIMIT ? OFFSET ?",  # noqa: S608
                [*params, limit, offset],
            ).fetchall()
        return [_job(r) for r in rows], total

    # webhooks

    def next_webhook(self) -> tuple[JobRecord, int, float] | None:
        """The job whose webhook is due soonest: (job, attempts so far, when it is due)."""
        rows = self._query("SELECT * FROM jobs WHERE webhook_done = 0 ORDER BY webhook_next_at LIMIT 1")
        if not rows:
            return None
        return _job(rows[0]), rows[0]["webhook_attempts"], rows[0]["webhook_next_at"]

    def record_delivery(self, delivery: dict[str, Any], done: bool, next_at: float | None) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO webhook_deliveries (job_id, event, url, attempt, status_code, error, body, "
                "signature, at) VALUES (:job_id, :event, :url, :attempt, :status_code, :error, :body, "
                ":signature, :at)",
                delivery,
            )
            db.execute(
                "UPDATE jobs SET webhook_attempts = ?, webhook_done = ?, webhook_next_at = ? "
                "WHERE job_id = ?",
                (delivery["attempt"], int(done), next_at, delivery["job_id"]),
            )

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        rows = self._query(
            "SELECT url, event, job_id, status_code, error, attempt, body, signature, at "
            "FROM webhook_deliveries ORDER BY id"
        )
        return [dict(r) for r in rows]

    # assets

    def add_asset(self, asset: AssetRecord, data: bytes) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO assets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    asset.asset_id,
                    asset.user_id,
                    asset.name,
                    asset.format,
                    asset.width,
                    asset.height,
                    asset.file_size,
                    json.dumps(asset.tags),
                    asset.created_at,
                    data,
                ),
            )

    def asset(self, asset_id: str, user_id: str | None = None) -> AssetRecord | None:
        rows = self._query("SELECT * FROM assets WHERE asset_id = ?", (asset_id,))
        if not rows or (user_id is not None and rows[0]["user_id"] != user_id):
            return None
        return _asset(rows[0])

    def asset_data(self, asset_id: str) -> bytes | None:
        rows = self._query("SELECT data FROM assets WHERE asset_id = ?", (asset_id,))
        return bytes(rows[0]["data"]) if rows else None

    def list_assets(self, user_id: str, limit: int, offset: int) -> tuple[list[AssetRecord], int]:
        with self._lock:
            (total,) = self._db.execute(
                "SELECT COUNT(*) FROM assets WHERE user_id = ?", (user_id,)
            ).fetchone()
            rows = self._db.execute(
                "SELECT * FROM assets WHERE user_id = ? ORDER BY created_at DESC LIMIT ? OFFSET ?",
                (user_id, limit, offset),
            ).fetchall()
        return [_asset(r) for r in rows], total


def _job(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        seq=row["seq"],
        job_id=row["job_id"],
        user_id=row["user_id"],
        model=row["model"],
        num_images=row["num_images"],
        aspect_ratio=row["aspect_ratio"],
        prompt=row["prompt"],
        preset_id=row["preset_id"],
        image_url=row["image_url"],
        asset_id=row["asset_id"],
        webhook_url=row["webhook_url"],
        timeline=Timeline(row["created_at"], row["started_at"], row["ends_at"], bool(row["fails"])),
        tokens=row["tokens"],
    )


def _asset(row: sqlite3.Row) -> AssetRecord:
    return AssetRecord(
        asset_id=row["asset_id"],
        user_id=row["user_id"],
        name=row["name"],
        format=row["format"],
        width=row["width"],
        height=row["height"],
        file_size=row["file_size"],
        tags=json.loads(row["tags"]),
        created_at=row["created_at"],
    )
