"""mart_data_quality gives every finding of an indicator row, one row each.

A copy of sample 003 whose 设施设备利用率 row (line 66) names a level 2 the taxonomy does not know
(社会效应) and has a half-year target of ≥0% is extracted and built once: that one row has two
findings, taxonomy_level2_unmapped and trivial_lower_bound_zero, and the mart gives both.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.warehouse.conftest import MODELS_AND_SEEDS, SAMPLES, Build, dbt, extract, rows

TWO_FINDINGS_FILE = "902_two_findings.txt"
LINE = 66
OLD = "\t社会效益\t\t\t设施设备利用率\t≥90%\t≥90%\t"
NEW = "\t社会效应\t\t\t设施设备利用率\t≥0%\t≥90%\t"


def two_findings_document() -> str:
    lines = next(SAMPLES.glob("003_*.txt")).read_text(encoding="utf-8").split("\n")
    assert lines[LINE - 1] == OLD, lines[LINE - 1]
    lines[LINE - 1] = NEW
    return "\n".join(lines)


@pytest.fixture(scope="module")
def two_findings(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("two_findings")
    inbox = workdir / "inbox"
    inbox.mkdir()
    (inbox / TWO_FINDINGS_FILE).write_text(two_findings_document(), encoding="utf-8")
    staging = workdir / "staging"
    extract(inbox, staging)
    build: Build = dbt(["build", *MODELS_AND_SEEDS], workdir, staging)
    connection = duckdb.connect(str(build.database), read_only=True)
    yield connection
    connection.close()


def test_an_indicator_row_with_two_findings_gives_two_rows(two_findings):
    found = rows(two_findings, """
        select finding_code, severity, subject, observed_value, message
        from mart_data_quality
        where finding_source = 'indicator' and source_line = ?
        order by finding_code""", LINE)
    assert found == [
        {"finding_code": "taxonomy_level2_unmapped", "severity": "warning", "subject": "设施设备利用率",
         "observed_value": "≥0% | ≥90%", "message": "二级指标 not in seed indicator_taxonomy: 社会效应"},
        {"finding_code": "trivial_lower_bound_zero", "severity": "info", "subject": "设施设备利用率",
         "observed_value": "≥0% | ≥90%", "message": "A >= 0 target is always met"},
    ]
    keys = two_findings.execute("select count(distinct finding_key), count(*) from mart_data_quality").fetchone()
    assert keys[0] == keys[1]
