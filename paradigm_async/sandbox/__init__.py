"""A local Paradigm API server that implements the contract on its own,
importing nothing from the client side, so that each checks the other."""

from ._fault_mix import FaultMix
from ._faults import Fault, FaultKind
from ._journal import RequestRecord
from ._ledger import Account
from ._server import DEFAULT_API_KEY, Sandbox

__all__ = [
    "DEFAULT_API_KEY",
    "Account",
    "Fault",
    "FaultKind",
    "FaultMix",
    "RequestRecord",
    "Sandbox",
]
