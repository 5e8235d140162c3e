"""Resource groups: each describes its endpoints and calls the transport."""

from .enrichments import Enrichments
from .jobs import Jobs

__all__ = ["Enrichments", "Jobs"]
