"""Attrs models of the API's resources, decoded by one cattrs converter."""

from ._common import Charge, ErrorInfo, Lead, ResearchMode, Status
from ._converter import structure, structure_input, unstructure
from .auto_responders import EmailAutoResponder, LinkedInAutoResponder
from .blueprints import (
    CustomizationTemplate,
    EnrichmentTemplate,
    TemplateField,
    Tone,
)
from .enrichments import Company, Enrichment, Person
from .jobs import Job, JobResult

__all__ = [
    "Charge",
    "Company",
    "CustomizationTemplate",
    "EmailAutoResponder",
    "Enrichment",
    "EnrichmentTemplate",
    "ErrorInfo",
    "Job",
    "JobResult",
    "Lead",
    "LinkedInAutoResponder",
    "Person",
    "ResearchMode",
    "Status",
    "TemplateField",
    "Tone",
    "structure",
    "structure_input",
    "unstructure",
]
