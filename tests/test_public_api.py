"""The public surface: one sorted `__all__`, and nothing missing from it."""

from __future__ import annotations

import paradigm_async
from paradigm_async import sandbox

FIXED_NAMES = {
    "ParadigmClient",
    "Lead",
    "RateLimit",
    "ParadigmError",
    "APIError",
    "ValidationError",
    "AuthenticationError",
    "InsufficientCreditsError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "APIConnectionError",
    "APITimeoutError",
    "DecodeError",
    "CreditBudgetExceeded",
}


def test_all_is_sorted_and_unique() -> None:
    names = paradigm_async.__all__

    assert len(set(names)) == len(names)
    assert list(names) == sorted(names, key=lambda n: (not n.isupper(), n))


def test_every_public_attribute_is_in_all_and_back() -> None:
    exported = set(paradigm_async.__all__)
    public = {
        name
        for name in vars(paradigm_async)
        if not name.startswith("_") and name not in {"annotations"}
    }
    modules = {"resources", "sandbox", "cli"}

    assert exported - {"__version__"} == public - modules
    for name in exported:
        assert hasattr(paradigm_async, name)


def test_the_names_other_code_imports_are_there() -> None:
    assert set(paradigm_async.__all__) >= FIXED_NAMES
    assert "Sandbox" in sandbox.__all__


def test_every_error_derives_from_paradigm_error() -> None:
    for name in paradigm_async.__all__:
        value = getattr(paradigm_async, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, paradigm_async.ParadigmError), name
