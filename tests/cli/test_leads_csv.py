"""Reading CRM exports: header aliases, domains, names, custom fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from paradigm_async.cli._leads_csv import bare_domain, read_rows


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_crm_style_headers_map_to_lead_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "First Name,Last Name,Email,Title,Company Name,Website,"
        "Person Linkedin Url,City\n"
        'Ada,Lovelace,ada@example.com,"VP, Eng",Stripe,'
        "https://www.stripe.com/about,https://www.linkedin.com/in/ada,"
        "London\n",
    )

    [row] = read_rows(path)

    assert row.number == 1
    assert row.lead == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "title": "VP, Eng",
        "company_name": "Stripe",
        "company_domain": "stripe.com",
        "linkedin_url": "https://www.linkedin.com/in/ada",
        "custom_fields": {"City": "London"},
    }


def test_snake_case_headers_and_a_full_name_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name,email,company,company_domain\n"
        "Grace Brewster Hopper,grace@example.org,Navy,navy.mil\n",
    )

    [row] = read_rows(path)

    assert row.lead["first_name"] == "Grace"
    assert row.lead["last_name"] == "Brewster Hopper"
    assert row.lead["company_name"] == "Navy"


def test_empty_cells_are_left_out_and_a_bom_is_ignored(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "\ufeffEmail,Title\n,\n")

    [row] = read_rows(path)

    assert row.lead == {}


def test_a_file_without_an_email_column_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no email column"):
        list(read_rows(write(tmp_path, "Name,Company\nAda,Stripe\n")))


@pytest.mark.parametrize(
    ("website", "domain"),
    [
        ("stripe.com", "stripe.com"),
        ("https://www.Stripe.com/", "stripe.com"),
        ("http://shop.example.co.uk/x?y=1", "shop.example.co.uk"),
    ],
)
def test_bare_domain(website: str, domain: str) -> None:
    assert bare_domain(website) == domain


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("Email,Name\nm\xfcller@example.com,M\n".encode("latin-1"))

    with pytest.raises(ValueError, match="not UTF-8 text"):
        list(read_rows(path))


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read(
    tmp_path: Path, delimiter: str
) -> None:
    """Spreadsheets where the comma is the decimal mark export with
    semicolons; a comma inside a cell then stays in the cell."""
    cells = (
        ["Email", "First Name", "Title"],
        ["a@example.com", "Ada", "VP, Eng"],
    )
    path = write(tmp_path, "".join(delimiter.join(c) + "\n" for c in cells))

    [row] = read_rows(path)

    assert row.lead == {
        "email": "a@example.com",
        "first_name": "Ada",
        "title": "VP, Eng",
    }


def test_a_header_naming_a_column_twice_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "Email,Notes,Notes\na@example.com,one,two\n")

    with pytest.raises(ValueError, match="'Notes' more than once"):
        list(read_rows(path))
