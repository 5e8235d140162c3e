"""A run's journal: each input's state, kept in SQLite so a run can resume.

Each input row moves through four states, each written and committed
before the step it guards:

- no row: not started;
- ``sent``: about to be sent, with the ``Idempotency-Key`` it is sent
  with (written before the request leaves);
- ``created``: the server answered with a record, charged (its id);
- ``done``: finished, with the final record as JSON.

A crash at any instant leaves each row in the last state committed,
which SQLite makes atomic; the write-ahead log keeps every commit
through a killed process. One run at a time may use a journal: a lock
file next to it refuses a second.

The journal calls are synchronous and short (one indexed row each), so
they run on the event loop rather than in a thread.
"""

from __future__ import annotations

import enum
import fcntl
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import attrs

from . import _json
from ._errors import ConfigurationError

__all__ = ["Entry", "Journal", "RowState", "lead_fingerprint"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS rows (
    row INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    email TEXT,
    idempotency_key TEXT,
    resource_id TEXT,
    sent_at REAL,
    credits INTEGER,
    record TEXT
);
CREATE INDEX IF NOT EXISTS rows_by_resource ON rows (resource_id);
"""

_COLUMNS = (
    "row",
    "fingerprint",
    "state",
    "email",
    "idempotency_key",
    "resource_id",
    "sent_at",
    "credits",
    "record",
)


# Built from constants only, never from input.
_SELECT = "SELECT " + ", ".join(_COLUMNS) + " FROM rows"  # noqa: S608
_SELECT_ROW = _SELECT + " WHERE row = ?"
_SELECT_STATE = _SELECT + " WHERE state = ? ORDER BY row"


class RowState(enum.Enum):
    """Where one input stands."""

    SENT = "sent"
    CREATED = "created"
    DONE = "done"


@attrs.frozen
class Entry:
    """One input's journal row."""

    row: int
    fingerprint: str
    state: RowState
    email: str | None
    idempotency_key: str | None
    resource_id: str | None
    sent_at: float | None
    credits: int | None
    record: Mapping[str, Any] | None


def lead_fingerprint(body: Mapping[str, Any]) -> str:
    """A digest of what is sent for one input, to recognise it later."""
    text = json.dumps(dict(body), sort_keys=True, ensure_ascii=False)

    return hashlib.sha256(text.encode()).hexdigest()


class Journal:
    """The states of one run's inputs, by input position."""

    def __init__(self, path: str | os.PathLike[str], *, kind: str) -> None:
        self.path = Path(path)
        self._lock = _lock(self.path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._check_schema()
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._check_kind(kind)
        except (sqlite3.Error, ConfigurationError) as exc:
            self._lock.close()
            if isinstance(exc, ConfigurationError):
                raise
            raise ConfigurationError(
                f"{self.path} is not a journal this SDK can use: {exc}"
            ) from exc

    def entry(self, row: int, fingerprint: str) -> Entry | None:
        """The state of input `row`, or None if it was never started.

        Raises `ConfigurationError` when the journal knew a different
        input at that position: it belongs to another input file.
        """
        found = self._db.execute(
            _SELECT_ROW,
            (row,),
        ).fetchone()
        if found is None:
            return None
        entry = _entry(found)
        if entry.fingerprint != fingerprint:
            raise ConfigurationError(
                f"input {row + 1} (counting from 1) differs from the one "
                f"{self.path} recorded: the journal belongs to another input"
            )

        return entry

    def unfinished(self) -> Iterator[Entry]:
        """Every input sent whose record is not known: the outcome of its
        create is unknown."""
        found = self._db.execute(
            _SELECT_STATE,
            (RowState.SENT.value,),
        )
        for values in found.fetchall():
            yield _entry(values)

    def holds(self, resource_id: str) -> bool:
        """Whether an input already has the record `resource_id`."""
        found = self._db.execute(
            "SELECT 1 FROM rows WHERE resource_id = ? LIMIT 1", (resource_id,)
        )

        return found.fetchone() is not None

    def sent(
        self, row: int, fingerprint: str, email: str, idempotency_key: str
    ) -> None:
        """Input `row`, for `email`, is about to be sent with
        `idempotency_key`."""
        self._db.execute(
            "INSERT INTO rows (row, fingerprint, state, email,"
            " idempotency_key, sent_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (row) DO UPDATE SET state = excluded.state,"
            " idempotency_key = excluded.idempotency_key",
            (
                row,
                fingerprint,
                RowState.SENT.value,
                email,
                idempotency_key,
                time.time(),
            ),
        )

    def created(self, row: int, resource_id: str, credits: int) -> None:
        """Input `row`'s create answered: record `resource_id`, charged."""
        self._db.execute(
            "UPDATE rows SET state = ?, resource_id = ?, credits = ?"
            " WHERE row = ?",
            (RowState.CREATED.value, resource_id, credits, row),
        )

    def done(self, row: int, record: Mapping[str, Any]) -> None:
        """Input `row` is finished with `record`."""
        self._db.execute(
            "UPDATE rows SET state = ?, record = ? WHERE row = ?",
            (RowState.DONE.value, _json.dumps(dict(record)).decode(), row),
        )

    def forget(self, row: int) -> None:
        """Input `row` was refused before anything was charged: not
        started, so that the next run sends it afresh."""
        self._db.execute("DELETE FROM rows WHERE row = ?", (row,))

    def close(self) -> None:
        """Close the database and give up the lock."""
        self._db.close()
        self._lock.close()

    def _check_schema(self) -> None:
        """Refuse, before changing anything, a database that is not empty
        and not a journal."""
        tables = {
            name
            for (name,) in self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        if not tables:
            return
        columns = tuple(
            info[1] for info in self._db.execute("PRAGMA table_info(rows)")
        )
        if tables != {"meta", "rows"} or columns != _COLUMNS:
            self._db.close()
            raise ConfigurationError(
                f"{self.path} is a database, but not a journal of this SDK"
            )

    def _check_kind(self, kind: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO meta (name, value) VALUES ('kind', ?)",
            (kind,),
        )
        (known,) = self._db.execute(
            "SELECT value FROM meta WHERE name = 'kind'"
        ).fetchone()
        if known != kind:
            raise ConfigurationError(
                f"{self.path} is the journal of a run of {known}, not {kind}"
            )


def _entry(values: tuple[Any, ...]) -> Entry:
    row, fingerprint, state, email, key, resource_id, sent_at = values[:7]
    credits, record = values[7:]

    return Entry(
        row=row,
        fingerprint=fingerprint,
        state=RowState(state),
        email=email,
        idempotency_key=key,
        resource_id=resource_id,
        sent_at=sent_at,
        credits=credits,
        record=None if record is None else _json.loads(record.encode()),
    )


def _lock(path: Path) -> IO[bytes]:
    """Hold `path`'s lock file for as long as the journal is open.

    The lock is named after the file the path resolves to, so a link to
    the same journal finds the same lock.
    """
    target = path.resolve()
    try:
        lock = Path(f"{target}.lock").open("wb")  # noqa: SIM115 (held open)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot open the journal {path}: {exc.strerror}"
        ) from exc
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise ConfigurationError(
            f"{path} is in use by another run; one run per journal"
        ) from None

    return lock
