"""Reading CRM exports: header aliases, domains, names, custom fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from paradigm_async.cli._leads_csv import bare_domain, column_names, read_rows


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


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ('"Company, Inc";Email;"Notes, a"', 'Acme;a@example.com;"x, y"'),
        ('Email;"Notes, a, b"', "a@example.com;n"),
        ('Email\t"Company, Inc"', "a@example.com\tAcme"),
        ('Email,"first;name;x"', "a@example.com,Ada"),
    ],
)
def test_delimiters_inside_quoted_names_do_not_count(
    tmp_path: Path, header: str, row: str
) -> None:
    [read] = read_rows(write(tmp_path, f"{header}\n{row}\n"))

    assert read.lead["email"] == "a@example.com"


def test_blank_column_names_keep_their_cells(tmp_path: Path) -> None:
    """Spreadsheets export trailing blank columns; a blank name with a
    value under it must not lose the value."""
    path = write(tmp_path, "Email,,First Name,,\na@example.com,KEEP,Ada,,\n")

    [row] = read_rows(path)

    assert column_names(path) == [
        "Email",
        "column 2",
        "First Name",
        "column 4",
        "column 5",
    ]
    assert row.lead == {
        "email": "a@example.com",
        "first_name": "Ada",
        "custom_fields": {"column 2": "KEEP"},
    }


def test_a_row_with_more_cells_than_the_header_is_refused(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "Email,Name\na@example.com,Ann,Lee\n")

    with pytest.raises(ValueError, match=r"row 1 has 3 cells .* a comma"):
        list(read_rows(path))


def test_trailing_empty_cells_and_short_rows_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "Email,Name\na@example.com,Ann,,\nb@example.com\n")

    first, second = read_rows(path)

    assert first.lead == {"email": "a@example.com", "first_name": "Ann"}
    assert second.cells == {"Email": "b@example.com", "Name": ""}


def test_the_first_filled_column_of_a_field_wins_and_none_is_lost(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "Email,Work Email,email\n"
        ",work@example.com,third@example.com\n"
        "first@example.com,work@example.com,\n",
    )

    empty_first, filled_first = read_rows(path)

    assert empty_first.lead == {
        "email": "work@example.com",
        "custom_fields": {"email": "third@example.com"},
    }
    assert filled_first.lead == {
        "email": "first@example.com",
        "custom_fields": {"Work Email": "work@example.com"},
    }


def test_blank_lines_are_not_rows_and_do_not_shift_the_numbers(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, "Email\r\n\r\na@example.com\r\n\r\nb@example.com\r\n"
    )

    rows = [(row.number, row.lead["email"]) for row in read_rows(path)]

    assert rows == [(1, "a@example.com"), (2, "b@example.com")]


@pytest.mark.parametrize(
    ("header", "names"),
    [
        ("email,email ", ["email", "email "]),
        ("email,Notes,Notes ", ["email", "Notes", "Notes "]),
        ("email,,column 2", ["email", "column 2 (blank)", "column 2"]),
    ],
)
def test_names_are_kept_as_written_and_blank_ones_never_collide(
    tmp_path: Path, header: str, names: list[str]
) -> None:
    assert column_names(write(tmp_path, f"{header}\na@example.com\n")) == names


def test_a_cell_too_large_for_the_csv_module_is_a_clear_error(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, 'Email,Notes\na@example.com,"' + "n" * 200_000 + '"\n'
    )

    with pytest.raises(ValueError, match="not a CSV file that can be read"):
        list(read_rows(path))
