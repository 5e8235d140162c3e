"""A progress bar: tqdm from the `cli` extra, else a plain counter."""

from __future__ import annotations

import sys
from typing import Protocol

__all__ = ["Progress", "progress_bar"]


class Progress(Protocol):
    """What the command line needs of a progress bar."""

    def update(self, n: int = 1) -> object: ...

    def close(self) -> None: ...


class _Counter:
    """Prints ``done/total`` to stderr at every tenth of the way."""

    def __init__(self, total: int, description: str, *, quiet: bool) -> None:
        self._quiet = quiet
        self._total = total
        self._done = 0
        self._step = max(1, total // 10)
        self._description = description

    def update(self, n: int = 1) -> None:
        self._done += n
        if self._quiet:
            return
        if self._done % self._step == 0 or self._done == self._total:
            print(
                f"{self._description}: {self._done}/{self._total}",
                file=sys.stderr,
            )

    def close(self) -> None:
        return None


def progress_bar(total: int, description: str, *, enabled: bool) -> Progress:
    """A bar over `total` steps on stderr; silent when not `enabled`."""
    try:
        from tqdm import tqdm
    except ImportError:
        return _Counter(total, description, quiet=not enabled)

    return tqdm(
        total=total,
        desc=description,
        unit="lead",
        file=sys.stderr,
        disable=not enabled,
    )
