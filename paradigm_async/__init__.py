"""paradigm-async: the async-first Python SDK for the Paradigm API.

Start with `ParadigmClient`; everything else here is what its calls take,
return or raise.
"""

from ._bulk import BulkProgress, BulkResult
from ._capture import ResponseCapture
from ._client import DEFAULT_BASE_URL, ParadigmClient
from ._credits import CreditBudget, CreditLedger, CreditTotals, Price
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
    NotSentError,
    ParadigmError,
    QueueTimeoutError,
    RateLimitError,
    RateLimiterUnavailable,
    ServerError,
    ValidationError,
    WaitTimeoutError,
)
from ._exchange import APIResponse
from ._models import (
    Charge,
    Company,
    CustomizationTemplate,
    EmailAutoResponder,
    Enrichment,
    EnrichmentTemplate,
    ErrorInfo,
    Job,
    JobResult,
    Lead,
    LinkedInAutoResponder,
    Person,
    ResearchMode,
    Status,
    TemplateField,
    Tone,
)
from ._not_given import NOT_GIVEN, NotGiven
from ._pagination import Page, Paginator
from ._ratelimit import RateLimit
from ._routes import encode_segment
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APITimeoutError",
    "AuthenticationError",
    "BulkProgress",
    "BulkResult",
    "Charge",
    "Company",
    "ConfigurationError",
    "CreditBudget",
    "CreditBudgetExceeded",
    "CreditLedger",
    "CreditTotals",
    "CustomizationTemplate",
    "DecodeError",
    "EmailAutoResponder",
    "Enrichment",
    "EnrichmentTemplate",
    "ErrorInfo",
    "InsufficientCreditsError",
    "InvalidInputError",
    "Job",
    "JobResult",
    "Lead",
    "LinkedInAutoResponder",
    "NotFoundError",
    "NotGiven",
    "NotSentError",
    "Page",
    "Pagination",
    "Paginator",
    "ParadigmClient",
    "ParadigmError",
    "Person",
    "Price",
    "QueueTimeoutError",
    "RateLimit",
    "RateLimitError",
    "RateLimiterUnavailable",
    "ResearchMode",
    "ResponseCapture",
    "ServerError",
    "Status",
    "TemplateField",
    "Tone",
    "ValidationError",
    "WaitTimeoutError",
    "__version__",
    "encode_segment",
]
