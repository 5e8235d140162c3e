"""Attrs models of the API's resources, decoded by one cattrs converter."""

from ._common import Charge, ErrorInfo, Lead, ResearchMode, Status
from ._converter import structure, structure_input, unstructure
from .enrichments import Company, Enrichment, Person
from .jobs import Job, JobResult

__all__ = [
    "Charge",
    "Company",
    "Enrichment",
    "ErrorInfo",
    "Job",
    "JobResult",
    "Lead",
    "Person",
    "ResearchMode",
    "Status",
    "structure",
    "structure_input",
    "unstructure",
]
