"""The README's Python examples run as written against the sandbox."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from paradigm_async import Lead, ParadigmClient
from paradigm_async.sandbox import Sandbox

README = Path(__file__).parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)


def test_the_first_screen_example_runs(threaded_sandbox: Sandbox) -> None:
    env = {
        "PARADIGM_API_KEY": threaded_sandbox.api_key,
        "PARADIGM_BASE_URL": threaded_sandbox.url,
    }

    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", BLOCKS[0]],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "Charge(credits=2" in done.stdout


async def test_the_resource_group_examples_run(
    sandbox: Sandbox, client: ParadigmClient
) -> None:
    snippet = next(block for block in BLOCKS if "client.blueprints" in block)
    source = "async def snippet(client, lead):\n" + textwrap.indent(
        snippet, "    "
    )
    scope: dict[str, Any] = {}
    exec(compile(source, "README.md", "exec"), scope)  # noqa: S102

    await scope["snippet"](client, Lead(email="ada@example.com"))

    assert client.credits.spent == sandbox.account().charged == 1
