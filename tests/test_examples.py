"""The examples the README points at still run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).parents[1] / "examples"


def test_quickstart_runs_against_its_own_sandbox() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARA")}

    done = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES / "quickstart.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "charged: Charge(credits=2" in done.stdout
    assert "credits: CreditTotals(spent=3, refunded=0" in done.stdout
