"""The Sandbox object: its public names, lifecycle and request log."""

from __future__ import annotations

import ast
import pathlib

import pytest

import paradigm_async.sandbox as package
from paradigm_async.sandbox import DEFAULT_API_KEY, Sandbox

from ._api import LEAD, Api


def test_all_is_sorted_and_names_what_the_package_exports() -> None:
    public = {name for name in vars(package) if not name.startswith("_")}

    assert package.__all__ == sorted(package.__all__, key=_isort_order)
    assert set(package.__all__) == public


def test_the_sandbox_imports_nothing_from_the_client_side() -> None:
    folder = pathlib.Path(package.__file__).parent
    for module in folder.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert not (node.module or "").startswith("paradigm_async")
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                pytest.fail(f"{module.name} reaches above the sandbox")
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
                assert not any(n.startswith("paradigm_async") for n in names)


async def test_url_and_key_of_a_running_sandbox() -> None:
    async with Sandbox() as sandbox:
        assert sandbox.url.startswith("http://127.0.0.1:")
        assert sandbox.url.endswith("/v1")
        assert not sandbox.url.endswith(":0/v1")
        assert sandbox.api_key == DEFAULT_API_KEY


async def test_two_sandboxes_get_two_ports() -> None:
    async with Sandbox() as first, Sandbox() as second:
        assert first.url != second.url


async def test_close_twice_is_harmless() -> None:
    sandbox = Sandbox()
    await sandbox.start()
    await sandbox.close()
    await sandbox.close()

    with pytest.raises(RuntimeError):
        _ = sandbox.url


async def test_start_twice_is_an_error() -> None:
    async with Sandbox() as sandbox:
        with pytest.raises(RuntimeError):
            await sandbox.start()


@pytest.mark.parametrize(
    "options",
    [
        {"api_keys": ()},
        {"api_keys": "pk_live_x"},
        {"api_keys": ("",)},
        {"credits": -1},
        {"processing_delay": -0.1},
        {"rate_limit": (0, 60.0)},
    ],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must|cannot|needs"):
        Sandbox(**options)  # type: ignore[arg-type]


async def test_requests_are_recorded_raw_in_order(api: Api) -> None:
    await api.call("GET", "/v1/jobs/a%2Fb?x=%20y", headers={"X-Trace": "1"})
    await api.call("POST", "/v1/jobs", json={"lead": LEAD}, key=None)
    first, second = api.sandbox.requests

    assert (first.method, first.path) == ("GET", "/v1/jobs/a%2Fb")
    assert first.query_string == "x=%20y"
    assert first.headers["X-Trace"] == "1"
    assert first.headers["X-API-Key"] == api.sandbox.api_key
    assert (second.method, second.path) == ("POST", "/v1/jobs")
    assert "X-API-Key" not in second.headers


async def test_reset_requests_forgets_them(api: Api) -> None:
    await api.call("GET", "/v1/jobs")
    api.sandbox.reset_requests()
    await api.call("GET", "/v1/enrichments")

    assert [r.path for r in api.sandbox.requests] == ["/v1/enrichments"]


def _isort_order(name: str) -> tuple[int, str]:
    # Constants first, then classes, then functions, as ruff sorts them.
    if name.isupper():
        return 0, name
    return (1 if name[0].isupper() else 2), name
