"""The `paradigm` command line: enrich lead lists, run the sandbox."""

from ._main import main

__all__ = ["main"]
