"""The `paradigm` command line: enrich lead lists, run the sandbox."""

from ._main import main, run

__all__ = ["main", "run"]
