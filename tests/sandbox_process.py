"""A sandbox in a child process, so that its memory is not the caller's."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

import attrs

__all__ = ["ChildSandbox", "sandbox_process"]


@attrs.frozen
class ChildSandbox:
    """Where the child's sandbox listens, and its key."""

    url: str
    api_key: str


@contextlib.contextmanager
def sandbox_process(*options: str) -> Iterator[ChildSandbox]:
    """Run ``paradigm sandbox`` on a free loopback port until the block
    ends; `options` are its command-line options."""
    process = subprocess.Popen(
        [
            sys.executable, "-m", "paradigm_async.cli", "sandbox",
            "--host", "127.0.0.1", "--port", "0", *options,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" ", 1)[-1].strip()
        key = process.stdout.readline().rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield ChildSandbox(url=url, api_key=key)
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()
