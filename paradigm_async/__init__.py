"""paradigm-async: the async-first Python SDK for the Paradigm API.

Start with `ParadigmClient`; everything else here is what its calls take,
return or raise.
"""

from ._client import DEFAULT_BASE_URL, ParadigmClient
from ._credits import CreditLedger, CreditTotals, Price
from ._envelope import Pagination
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    CreditBudgetExceeded,
    DecodeError,
    InsufficientCreditsError,
    InvalidInputError,
    NotFoundError,
    ParadigmError,
    RateLimitError,
    ServerError,
    ValidationError,
    WaitTimeoutError,
)
from ._models import (
    Charge,
    Company,
    Enrichment,
    ErrorInfo,
    Job,
    JobResult,
    Lead,
    Person,
    ResearchMode,
    Status,
)
from ._pagination import Page, Paginator
from ._ratelimit import RateLimit
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "Charge",
    "Company",
    "ConfigurationError",
    "CreditBudgetExceeded",
    "CreditLedger",
    "CreditTotals",
    "DecodeError",
    "Enrichment",
    "ErrorInfo",
    "InsufficientCreditsError",
    "InvalidInputError",
    "Job",
    "JobResult",
    "Lead",
    "NotFoundError",
    "Page",
    "Pagination",
    "Paginator",
    "ParadigmClient",
    "ParadigmError",
    "Person",
    "Price",
    "RateLimit",
    "RateLimitError",
    "ResearchMode",
    "ServerError",
    "Status",
    "ValidationError",
    "WaitTimeoutError",
    "__version__",
]
