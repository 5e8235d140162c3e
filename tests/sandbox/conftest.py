"""Fixtures: a running sandbox whose records settle at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ._api import Api, running


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    """A sandbox with processing_delay=0 and a session to talk to it."""
    async with running(processing_delay=0.0) as helper:
        yield helper
