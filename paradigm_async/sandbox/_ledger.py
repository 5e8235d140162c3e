"""The credit price table and each API key's account."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = ["PRICES", "Account", "Ledger"]

# The public docs' price table: a create costs 1 credit in standard
# research mode and 2 in premium; every other operation is free.
PRICES = {"standard": 1, "premium": 2}


@attrs.frozen
class Account:
    """A snapshot of one API key's credits.

    `charged` and `refunded` only ever grow; `balance` is what is left.
    """

    balance: int
    charged: int
    refunded: int

    @property
    def net(self) -> int:
        """Credits spent for good: charged minus refunded."""
        return self.charged - self.refunded


@attrs.define
class _Entry:
    balance: int
    charged: int = 0
    refunded: int = 0


class Ledger:
    """The accounts of every API key the sandbox accepts."""

    def __init__(self, keys: Iterable[str], credits: int) -> None:
        self._entries = {key: _Entry(balance=credits) for key in keys}

    def account(self, key: str) -> Account:
        """Return a snapshot of `key`'s account."""
        entry = self._entries[key]

        return Account(entry.balance, entry.charged, entry.refunded)

    def balance(self, key: str) -> int:
        """Return the credits `key` has left."""
        return self._entries[key].balance

    def set_balance(self, key: str, balance: int) -> None:
        """Set `key`'s balance, leaving its history alone."""
        self._entries[key].balance = balance

    def charge(self, key: str, credits: int) -> None:
        """Deduct `credits` from `key`; the caller checked the balance."""
        entry = self._entries[key]
        entry.balance -= credits
        entry.charged += credits

    def refund(self, key: str, credits: int) -> None:
        """Give `credits` back to `key`."""
        entry = self._entries[key]
        entry.balance += credits
        entry.refunded += credits
