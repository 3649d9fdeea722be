"""A file's rendered rows (extract.file_rows): every staging table comes from the extraction
attribute of its name, and a rename changes the `source_file` cells and nothing else."""

from __future__ import annotations

from dataclasses import fields

from extract.file_rows import FileRows, parse_table, renamed, render_file
from extract.pipeline import WARNING, FileExtraction, extract_file
from extract.records import STAGING_TABLES, ExtractionIssue, columns
from tests.extract.conftest import sample_path


def _extraction() -> FileExtraction:
    """Rows in every table: the target forms of 004, the report of 002 (as if one file held
    both) and an issue."""
    path, report = sample_path("004"), sample_path("002")
    result = extract_file(path.name, path.read_bytes())
    more = extract_file(path.name, report.read_bytes())
    for f in fields(FileExtraction):
        if isinstance(getattr(result, f.name), list):
            getattr(result, f.name).extend(getattr(more, f.name))
    result.issues.append(ExtractionIssue(path.name, "", WARNING, "some_warning", "a doubt", 3))
    return result


def test_every_staging_table_is_rendered_from_the_extraction_attribute_of_its_name():
    result = _extraction()
    file_rows = render_file(result)
    assert list(file_rows.csv) == list(file_rows.rows) == list(STAGING_TABLES)
    attributes = {f.name for f in fields(FileExtraction)}
    for table in STAGING_TABLES:
        attribute = "issues" if table == "extraction_issues" else table
        assert attribute in attributes, table
        rows = getattr(result, attribute)
        assert rows, table  # the check below compares something
        assert file_rows.rows[table] == len(rows) == len(parse_table(file_rows.csv[table])), table


def test_a_rename_changes_the_source_file_cells_and_nothing_else():
    before = render_file(_extraction())
    after = renamed(_copy(before), "其他/新名.txt")
    assert after.source_file == "其他/新名.txt"
    carrying = [table for table, kind in STAGING_TABLES.items() if "source_file" in columns(kind)]
    assert carrying == ["documents", "extraction_issues"]
    for table, kind in STAGING_TABLES.items():
        old_rows, new_rows = parse_table(before.csv[table]), parse_table(after.csv[table])
        assert len(old_rows) == len(new_rows) > 0, table
        names = columns(kind)
        for old, new in zip(old_rows, new_rows, strict=True):
            for name, old_cell, new_cell in zip(names, old, new, strict=True):
                expected = "其他/新名.txt" if name == "source_file" else old_cell
                assert new_cell == expected, (table, name)


def _copy(file_rows: FileRows) -> FileRows:
    """A copy whose `csv` can be edited without touching the original (`renamed` edits in place)."""
    return FileRows(**{f.name: getattr(file_rows, f.name) for f in fields(FileRows)} | {"csv": dict(file_rows.csv)})
