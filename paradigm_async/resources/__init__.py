"""Resource groups: each describes its endpoints and calls the transport."""

from .auto_responders import (
    AutoResponders,
    EmailAutoResponders,
    LinkedInAutoResponders,
)
from .blueprints import Blueprints, CustomizationTemplates, EnrichmentTemplates
from .enrichments import Enrichments
from .jobs import Jobs

__all__ = [
    "AutoResponders",
    "Blueprints",
    "CustomizationTemplates",
    "EmailAutoResponders",
    "EnrichmentTemplates",
    "Enrichments",
    "Jobs",
    "LinkedInAutoResponders",
]
