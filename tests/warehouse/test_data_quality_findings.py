"""mart_data_quality gives every finding of an indicator row, one row each.

A copy of sample 003 whose 设施设备利用率 row (line 66) names a level 2 the taxonomy does not know
(社会效应) and has a half-year target of ≥0% is extracted and built once (the odd document of
tests/warehouse/variants.py, whose one build test_odd_values.py, test_marts.py and
test_self_evaluation.py share): that one row has two findings, taxonomy_level2_unmapped and
trivial_lower_bound_zero, and the mart gives both.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.warehouse.conftest import Build, rows
from tests.warehouse.variants import FINDINGS_LINE, ODD_FILE, variants_build


@pytest.fixture(scope="module")
def two_findings(tmp_path_factory: pytest.TempPathFactory):
    build: Build = variants_build(tmp_path_factory)
    connection = duckdb.connect(str(build.database), read_only=True)
    yield connection
    connection.close()


def test_an_indicator_row_with_two_findings_gives_two_rows(two_findings):
    found = rows(two_findings, """
        select finding_code, severity, subject, observed_value, message
        from mart_data_quality
        where finding_source = 'indicator' and source_file = ? and source_line = ?
        order by finding_code""", ODD_FILE, FINDINGS_LINE)
    assert found == [
        {"finding_code": "taxonomy_level2_unmapped", "severity": "warning", "subject": "设施设备利用率",
         "observed_value": "≥0% | ≥90%", "message": "二级指标 not in seed indicator_taxonomy: 社会效应"},
        {"finding_code": "trivial_lower_bound_zero", "severity": "info", "subject": "设施设备利用率",
         "observed_value": "≥0% | ≥90%", "message": "A >= 0 target is always met"},
    ]
    # every finding of the build (not only the odd document's) has a key of its own
    keys = two_findings.execute("select count(distinct finding_key), count(*) from mart_data_quality").fetchone()
    assert keys[0] == keys[1]
