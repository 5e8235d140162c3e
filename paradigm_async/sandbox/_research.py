"""Research derived from a hash of the lead, standing in for the AI."""

from __future__ import annotations

import hashlib
import json
import re

from ._lead import Lead
from ._store import Failure

__all__ = ["company", "failure", "job_result", "person", "seniority"]

_INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Logistics",
    "Manufacturing",
    "Retail",
    "Cybersecurity",
    "Education",
    "Energy",
    "Media",
)
_HEADQUARTERS = (
    "Austin, TX",
    "Berlin, Germany",
    "Boston, MA",
    "Chicago, IL",
    "Denver, CO",
    "London, United Kingdom",
    "New York, NY",
    "San Francisco, CA",
    "Seattle, WA",
    "Toronto, Canada",
)
_SIGNALS = (
    "is hiring across its sales team",
    "recently closed a new funding round",
    "launched a new product line this quarter",
    "is expanding into new regions",
    "is moving to a new CRM",
    "grew its headcount over the past year",
    "announced a partner program",
    "is investing in outbound prospecting",
)
_TALKING_POINTS = (
    "how {company} ramps new account executives",
    "what {company} measures in its outbound pipeline",
    "how a {title} spends a typical week",
    "how {company} keeps lead data fresh",
    "the tools {company} uses to personalise at scale",
    "how {company} hands warm replies to sales",
)
# Checked in this order, so "vice president" is a vp, not an executive.
_SENIORITY = (
    ("vp", r"\b(vp|svp|evp|vice president)\b"),
    ("executive", r"\b(chief|ceo|cto|cfo|coo|cmo|founder|president|owner)\b"),
    ("director", r"\b(director|head of)\b"),
    ("manager", r"\b(manager|lead|supervisor)\b"),
)


def failure(lead: Lead) -> Failure | None:
    """Return the failure research ends with, if the domain is `.invalid`.

    `.invalid` is reserved (RFC 2606), so it is the sandbox's way to
    script a failed job or enrichment.
    """
    if not lead.domain.endswith(".invalid"):
        return None

    message = f"could not research {lead.domain}: the domain does not exist"

    return Failure(code="RESEARCH_FAILED", message=message)


def company(lead: Lead, mode: str) -> dict[str, object]:
    """Return the enrichment's `company` research.

    Premium research mode adds a signal and a line to the summary.
    """
    seed = _seed(lead)
    name = _company_name(lead)
    industry = _pick(seed, 0, _INDUSTRIES)
    employees = 10 + int.from_bytes(seed[1:4]) % 4990
    signals = _ranked(seed, _SIGNALS)[: _count(seed, 4, mode)]
    summary = (
        f"{name} is a {industry.lower()} company with about "
        f"{employees} employees."
    )
    if mode == "premium":
        summary += f" It {signals[0]}."

    return {
        "name": name,
        "domain": lead.domain,
        "industry": industry,
        "employee_count": employees,
        "headquarters": _pick(seed, 5, _HEADQUARTERS),
        "summary": summary,
        "signals": [f"{name} {signal}" for signal in signals],
    }


def person(lead: Lead, mode: str) -> dict[str, object]:
    """Return the enrichment's `person` research.

    Premium research mode adds a talking point.
    """
    seed = _seed(lead)
    name = _full_name(lead)
    title = lead.title or "team member"
    fill = {"company": _company_name(lead), "title": title}
    points = _ranked(seed, _TALKING_POINTS)[: _count(seed, 6, mode)]

    return {
        "full_name": name,
        "title": lead.title,
        "seniority": seniority(lead.title),
        "summary": f"{name} works as {title} at {fill['company']}.",
        "talking_points": [point.format(**fill) for point in points],
    }


def job_result(lead: Lead, mode: str) -> dict[str, object]:
    """Return a completed job's `result`: a short personalised email."""
    seed = _seed(lead)
    name = _company_name(lead)
    signal = _ranked(seed, _SIGNALS)[0]
    greeting = lead.first_name or "there"
    body = (
        f"Hi {greeting},\n\n"
        f"I noticed {name} {signal}. Teams at that stage often want "
        "outreach that sounds like a person wrote it, without the hours "
        "of research.\n\n"
        "Would a short call next week be useful?"
    )
    subject = f"{lead.first_name}, an idea for {name}"

    return {
        "subject": subject if lead.first_name else f"An idea for {name}",
        "body": body,
        "enrichment_id": None,
    }


def seniority(title: str | None) -> str:
    """Derive a seniority level from a job title."""
    lowered = (title or "").lower()
    for level, pattern in _SENIORITY:
        if re.search(pattern, lowered):
            return level

    return "individual_contributor"


def _seed(lead: Lead) -> bytes:
    canonical = json.dumps(lead.echo(), sort_keys=True)

    return hashlib.sha256(canonical.encode()).digest()


def _pick(seed: bytes, index: int, options: tuple[str, ...]) -> str:
    return options[seed[index] % len(options)]


def _ranked(seed: bytes, options: tuple[str, ...]) -> list[str]:
    # A seeded order of distinct options, the same for the same lead.
    def rank(option: str) -> bytes:
        return hashlib.sha256(seed + option.encode()).digest()

    return sorted(options, key=rank)


def _count(seed: bytes, index: int, mode: str) -> int:
    # Two or three items in standard mode, three or four in premium.
    extra = 1 if mode == "premium" else 0

    return 2 + seed[index] % 2 + extra


def _company_name(lead: Lead) -> str:
    if lead.company_name:
        return lead.company_name

    label = lead.domain.split(".")[0]
    parts = re.split(r"[-_]", label)

    return " ".join(part.capitalize() for part in parts if part)


def _full_name(lead: Lead) -> str:
    given = " ".join(
        part for part in (lead.first_name, lead.last_name) if part
    )
    if given:
        return given

    local = lead.email.partition("@")[0]
    parts = re.split(r"[._+-]", local)

    return " ".join(part.capitalize() for part in parts if part)
