"""The lead, the input that jobs and enrichments share, read and echoed."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ._validation import Problems, is_email, optional_string, reject_unknown

__all__ = ["Lead", "parse_lead"]

_TEXT_FIELDS = (
    "first_name",
    "last_name",
    "title",
    "company_name",
    "company_domain",
    "linkedin_url",
)
_FIELDS = ("email", *_TEXT_FIELDS, "custom_fields")


@attrs.frozen
class Lead:
    """A person to research, with every contract field present."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    company_name: str | None = None
    company_domain: str | None = None
    linkedin_url: str | None = None
    custom_fields: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def domain(self) -> str:
        """The company's domain: `company_domain`, else the email's."""
        found = self.company_domain or self.email.rpartition("@")[2]

        return found.strip().lower().removeprefix("www.")

    def echo(self) -> dict[str, object]:
        """Render the lead as records show it, null where not given."""
        echoed: dict[str, object] = {"email": self.email}
        for name in _TEXT_FIELDS:
            echoed[name] = getattr(self, name)
        echoed["custom_fields"] = dict(self.custom_fields)

        return echoed


def parse_lead(body: Mapping[str, object], problems: Problems) -> Lead:
    """Read the `lead` member of a create body, noting every problem."""
    value = body.get("lead")
    if not isinstance(value, dict):
        problems.add("lead", _missing_or_object(value))
        return Lead(email="")

    reject_unknown(value, _FIELDS, "lead.", problems)

    def text(name: str) -> str | None:
        return optional_string(value, name, "lead.", problems)

    return Lead(
        email=_email(value, problems),
        first_name=text("first_name"),
        last_name=text("last_name"),
        title=text("title"),
        company_name=text("company_name"),
        company_domain=text("company_domain"),
        linkedin_url=text("linkedin_url"),
        custom_fields=_custom_fields(value, problems),
    )


def _missing_or_object(value: object) -> str:
    return "is required" if value is None else "must be an object"


def _email(lead: Mapping[str, object], problems: Problems) -> str:
    email = lead.get("email")
    if email is None:
        problems.add("lead.email", "is required")
        return ""

    if not isinstance(email, str) or not is_email(email):
        problems.add("lead.email", "must be a valid email address")
        return ""

    return email


def _custom_fields(
    lead: Mapping[str, object], problems: Problems
) -> dict[str, str]:
    value = lead.get("custom_fields")
    if value is None:
        return {}

    if not isinstance(value, dict):
        problems.add("lead.custom_fields", "must be an object of strings")
        return {}

    fields: dict[str, str] = {}
    for name, item in value.items():
        if isinstance(item, str):
            fields[name] = item
        else:
            problems.add(f"lead.custom_fields.{name}", "must be a string")

    return fields
