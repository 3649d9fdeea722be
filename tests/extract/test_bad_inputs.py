"""Bad input gets a clear issue row and loses nothing: the file is quarantined, every other
document still lands."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from extract.pipeline import extract_file
from flows.cli import main
from tests.extract.conftest import SAMPLES, sample_path

GOOD_FORMS = 16


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def cut_004_after_line(line_no: int) -> bytes:
    lines = sample_path("004").read_bytes().decode("utf-8").split("\n")
    return "\n".join(lines[:line_no]).encode("utf-8")


BAD_INPUTS = {
    "empty.txt": (b"", "empty_file", 1),
    "blank_lines.txt": (b"\n\n  \n", "empty_file", 1),
    "binary.txt": (bytes(range(256)) * 8, "binary_file", 1),
    "prose.txt": ("会议纪要\n\n今天讨论了园区绿化工作。\n".encode(), "unknown_form", 1),
    # cut in the middle of a three-byte UTF-8 character
    "cut_mid_char.txt": (sample_path("001").read_bytes().rsplit("≥".encode(), 1)[0] + "≥".encode()[:2],
                         "truncated_file", 59),
    # cut before its funding block: nothing of the form can be trusted
    "cut_before_funding.txt": (cut_004_after_line(11), "truncated_form", 11),
}

# Cut forms that still hold rows: they land with a warning naming where they stop
CUT_INPUTS = {
    # cut inside the 5th form's indicator table (line 230 is 科创办推进专项's 产出 rows)
    "cut_mid_table.txt": (cut_004_after_line(230), "truncated_table", 230),
    # cut after the funding block, before any indicator table
    "cut_before_table.txt": (cut_004_after_line(20), "no_indicator_table", 20),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_file_gives_an_error_issue_naming_file_line_and_code(name):
    data, code, line = BAD_INPUTS[name]
    result = extract_file(name, data)
    errors = [i for i in result.issues if i.severity == "error"]
    assert [(i.source_file, i.code, i.source_line) for i in errors] == [(name, code, line)]
    assert errors[0].message


@pytest.mark.parametrize("name", sorted(CUT_INPUTS))
def test_cut_form_lands_with_a_warning_naming_where_it_stops(name):
    data, code, line = CUT_INPUTS[name]
    result = extract_file(name, data)
    assert not result.has_errors
    assert (code, line) in [(i.code, i.source_line) for i in result.issues if i.severity == "warning"]


def test_cut_mid_table_keeps_every_form_and_the_rows_before_the_cut():
    result = extract_file("cut.txt", cut_004_after_line(230))
    assert [d.project_name for d in result.documents] == [
        "“通创荟”和科技招商经费专项", "物业管理费", "网络设备设施运行与维护费", "水电费补差", "科创办推进专项"]
    cut = next(i for i in result.issues if i.code == "truncated_table")
    assert cut.doc_id == result.documents[-1].doc_id
    assert len([i for i in result.indicators if i.doc_id != cut.doc_id]) == 60
    assert [i.source_line for i in result.indicators if i.doc_id == cut.doc_id][-1] == 230


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    shutil.copytree(SAMPLES, folder)
    for name, (data, _, _) in {**BAD_INPUTS, **CUT_INPUTS}.items():
        (folder / name).write_bytes(data)
    (folder / "cut.pdf").write_bytes(b"%PDF-1.4 cut off before its first object")
    return folder


def test_inbox_with_bad_files_lands_every_good_document(inbox: Path, tmp_path: Path, capsys):
    out, quarantine = tmp_path / "staging", tmp_path / "quarantine"
    status = main(["extract", "--inbox", str(inbox), "--out", str(out), "--quarantine", str(quarantine)])
    assert status == 0
    documents = read_csv(out / "documents.csv")
    assert len([d for d in documents if d["source_file"].startswith("0")]) == GOOD_FORMS
    # every form of the cut copies of 004 lands, the cut one with a warning
    assert len([d for d in documents if d["source_file"] == "cut_mid_table.txt"]) == 5
    assert len([d for d in documents if d["source_file"] == "cut_before_table.txt"]) == 1
    issues = read_csv(out / "extraction_issues.csv")
    errors = {(i["source_file"], i["code"], i["source_line"]) for i in issues if i["severity"] == "error"}
    expected = {(name, code, str(line)) for name, (_, code, line) in BAD_INPUTS.items()}
    assert errors == expected | {("cut.pdf", "corrupt_file", "")}
    quarantined = sorted(p.name for p in quarantine.iterdir())
    assert quarantined == sorted([*BAD_INPUTS, "cut.pdf"])
    assert (quarantine / "cut_before_funding.txt").read_bytes() == (inbox / "cut_before_funding.txt").read_bytes()
    indicators = read_csv(out / "indicators.csv")
    good_ids = {d["doc_id"] for d in documents if d["source_file"].startswith("0")}
    assert len([i for i in indicators if i["doc_id"] in good_ids]) == 298
    printed = capsys.readouterr().out
    assert "quarantined      7" in printed
    assert "forms            22 (dept_self_eval 1, dept_target 2, project_target 19)" in printed


def test_doubtful_rows_land_with_a_warning_naming_the_line():
    text = sample_path("001").read_bytes().decode("utf-8").split("\n")
    # an unknown level-2 label, and a row with a stray extra cell before the 三级指标
    text[53] = "\t新兴领域指标\t新增国家级产业创新平台（个）\t序时进度\t≥1"
    text[54] = "甲\t乙\t丙\t入选国家重点人才工程数（人）\t序时进度\t50"
    result = extract_file("doubt.txt", "\n".join(text).encode("utf-8"))
    warnings = [(i.code, i.source_line) for i in result.issues if i.severity == "warning"]
    assert ("unknown_level_label", 54) in warnings
    assert ("unexpected_cell_count", 55) in warnings
    assert len(result.documents) == 1 and len(result.indicators) == 38
    row = next(i for i in result.indicators if i.source_line == 54)
    assert (row.level1_raw, row.level2_raw, row.level2_fill) == ("效益指标", "新兴领域指标", "cell")


def test_duplicate_document_is_loaded_once(tmp_path: Path):
    from flows.extraction import run_extraction

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = sample_path("003").read_bytes()
    (inbox / "a.txt").write_bytes(data)
    (inbox / "b.txt").write_bytes(data.replace(b"\n", b"\r\n"))
    summary = run_extraction(inbox, tmp_path / "out")
    assert summary.forms == 1 and summary.warnings == 1 and not summary.quarantined
    issues = read_csv(tmp_path / "out" / "extraction_issues.csv")
    assert [(i["source_file"], i["code"]) for i in issues] == [("b.txt", "duplicate_document")]


def test_missing_inbox_is_a_clear_error(tmp_path: Path, capsys):
    status = main(["extract", "--inbox", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert status == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_inbox_that_is_a_file_is_a_clear_error(tmp_path: Path, capsys):
    status = main(["extract", "--inbox", str(sample_path("000")), "--out", str(tmp_path / "out")])
    assert status == 2
    assert "is not a folder" in capsys.readouterr().err


def test_staging_csvs_have_the_contract_columns(tmp_path: Path):
    from flows.extraction import run_extraction

    run_extraction(SAMPLES, tmp_path)
    headers = {path.stem: path.open(encoding="utf-8").readline().strip() for path in tmp_path.glob("*.csv")}
    assert headers == {
        "documents": "doc_id,source_file,source_sha256,source_format,part_seq,doc_type,title,fiscal_year,"
                     "region_raw,unit_name,supervising_dept,implementing_unit,project_name,project_type,"
                     "project_level,start_raw,end_raw,contact_raw,amount_unit,line_start,line_end,ref_start,"
                     "extractor_version,first_seen_at,source_mtime",
        "narratives": "doc_id,field,label_raw,text,source_line,source_ref",
        "changed_documents": "source_file,doc_id,source_sha256,part_seq,change",
        "budget_lines": "doc_id,line_seq,direction,label_raw,parent_label_raw,rate_raw,weight_raw,score_raw,"
                        "source_line,source_ref",
        "budget_amounts": "doc_id,line_seq,phase,amount_raw,amount_unit,source_ref",
        "indicators": "doc_id,indicator_seq,table_seq,level1_raw,level2_raw,level3_raw,key_work_raw,"
                      "linked_project_raw,weight_raw,direction_raw,standard_raw,score_raw,deviation_raw,"
                      "level1_score_raw,level2_score_raw,level1_fill,level2_fill,source_line,source_ref",
        "indicator_values": "doc_id,indicator_seq,period,kind,value_raw,comparator_raw,number_raw,unit_raw,"
                            "source_ref",
        "report_facts": "doc_id,fact_key,value_raw,unit_raw,sentence,source_line",
        "extraction_issues": "source_file,doc_id,severity,code,message,source_line,source_ref",
    }


def test_large_inbox_shows_progress(tmp_path: Path, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = sample_path("001").read_bytes()
    for number in range(60):
        # each copy names another project, so no two files share a text
        (inbox / f"p{number:03d}.txt").write_bytes(data.replace("南京市工业和信息化发展专项资金".encode(),
                                                                f"专项资金{number}".encode()))
    assert main(["extract", "--inbox", str(inbox), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines()[-1] == "  extracted 60/60 files"  # flows/progress.py: the end, always
    assert "forms            60 (project_target 60)" in captured.out
    assert "indicator rows   2280" in captured.out
