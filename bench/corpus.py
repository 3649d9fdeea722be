"""A synthetic corpus of target forms and self-evaluation reports, derived from the samples.

Every generated form is a sample form (a template) with its cell texts rewritten: names of
projects, units and issuers, funding amounts, indicator values, the order of indicator rows
inside a level-2 group, the position of the page break inside the indicator table, and how
many forms share a file. The layout itself is never invented, so what the extractor must
find is known exactly: the generator counts the rows it writes.

Rules that keep a generated layout one the samples have:
* level labels stay on the row the sample prints them on; only the content of a row (三级
  name and its two values) moves, and only inside its level-2 group. In a 履职 table, whose
  rows carry 重点工作/对应项目 cells, whole rows move instead, and only rows without labels;
* a page break moves only inside a non-履职 table, and rows after it are printed as the
  samples print them after a break (the header's empty columns dropped). A break that caused
  a quirk in the sample (a merged label printed right after it, a row shifted left) stays;
* a row the break would have to convert but whose shape does not allow it (a shifted row
  with text in a column the header leaves empty) rules that break position out;
* amounts of a form are rescaled by one factor, so totals, shares and the half-year
  预算执行率 (= half-year plan / full-year budget) still agree; blanks stay blank, 0 stays 0;
* self-evaluation reports are copies with their unit and figures changed, one per file (a
  report's unit name is printed above its title, which only the first form of a file may do).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bench.templates import (
    POST,
    PRE,
    SAMPLES_DIR,
    ReportTemplate,
    TableRow,
    TableTemplate,
    TargetTemplate,
    TemplateSet,
    load_templates,
)
from extract.cells import SCHEDULE_TOKENS, squash
from extract.forms import DEPT_SELF_EVAL, DEPT_TARGET, PROJECT_TARGET

COUNTS_FILE = "corpus_counts.json"

# share of forms by kind (each sample of a kind equally likely as the template)
FORM_SHARES = {PROJECT_TARGET: 70, DEPT_TARGET: 22, DEPT_SELF_EVAL: 8}
MAX_FORMS_PER_FILE = 20
SINGLE_FORM_SHARE = 0.25
BREAK_ADDED_SHARE = 0.5

CITIES = ("南京市", "苏州市", "无锡市", "常州市", "南通市", "扬州市", "镇江市", "泰州市", "盐城市", "淮安市",
          "宿迁市", "徐州市", "连云港市", "杭州市", "宁波市", "合肥市")
CITY_LEVELS = ("市级", "本级", "市本级")
DISTRICTS = ("江北新区", "江宁区", "浦口区", "新北区", "武进区", "吴中区", "滨湖区", "崇川区", "高新区", "玄武区",
             "鼓楼区", "秦淮区", "相城区", "海门区", "区级", "市级")
BUREAUS = ("科学技术局", "工业和信息化局", "发展和改革委员会", "商务局", "生态环境局", "住房和城乡建设局",
           "农业农村局", "人力资源和社会保障局", "教育局", "文化广电和旅游局", "卫生健康委员会",
           "市场监督管理局", "数据局", "交通运输局", "水务局", "财政局")
PARKS = ("产业技术研创园管理办公室", "创意产业园区管理办公室", "高新技术产业开发区管理委员会",
         "经济开发区管理委员会", "软件园管理办公室", "科技创业服务中心", "综合保税区管理办公室",
         "生物医药园管理办公室", "智能制造产业园管理办公室")
UNIT_SUFFIXES = ("（本级）", "（机关）", "")
INSTITUTES = ("科技创业服务中心", "生产力促进中心", "科学技术情报研究所", "技术转移中心", "火炬高技术产业开发中心",
              "高新技术创业服务中心", "知识产权保护中心", "科技金融服务中心", "产业技术研究院服务中心")
TOPICS = ("科技成果转化", "产学研合作交流", "高新技术企业培育", "智慧园区建设", "高层次人才引进", "知识产权保护",
          "数字经济发展", "绿色低碳转型", "中小企业公共服务", "科技金融服务", "创新平台建设", "国际科技合作",
          "农业科技推广", "网络安全保障", "档案数字化", "安全生产监管", "生态环境监测", "政务信息系统运维",
          "招商引资活动", "双创活动组织", "科普宣传", "技术标准研制", "首台套装备推广", "专精特新企业培育",
          "工业互联网应用", "智能制造示范", "检验检测平台运行", "孵化载体建设", "科技创新券兑现", "创新积分制推广")
PROJECT_KINDS = ("专项", "专项资金", "工作经费", "补助资金", "项目", "运行维护费", "奖补资金", "服务费")
BUDGET_STEMS = ("科技创新产业扶持", "综合保障类", "规划设计项目", "企业服务项目", "城市维护管理", "土地收储项目",
                "招商相关费用", "人才项目", "公共平台项目", "基础设施建设及完善", "安全环保项目", "大楼运行费",
                "物业管理费", "信息化建设", "宣传推介费", "园区环境整治", "专家咨询费", "课题研究经费",
                "科技金融服务", "孵化器运营补助", "产业基金管理", "会展活动经费", "企业上市培育", "数据中心运维")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华荣生建国志红文斌宁海波鹏飞云峰晨曦"
QUALITATIVE_VARIANTS = {
    "较高": ("较高", "显著", "明显提升"),
    "提升": ("提升", "有所提升", "稳步提升"),
    "平稳增长": ("平稳增长", "稳步增长"),
    "影响明显": ("影响明显", "持续显现"),
}

_YEAR_SUFFIX = re.compile(r"(（\d{4}(?:-\d{4})?）|\(\d{4}(?:-\d{4})?\)|\d{4})$")
_VALUE = re.compile(r"^(?P<cmp>[≥≤=＞＜><]?)(?P<num>\d+(?:\.\d+)?)(?P<unit>[^\d，。；,;]{0,8})$")
_KEEP_UNITS = ("月", "年", "天", "日")
_REPORT_FIGURE = re.compile(r"(\d+(?:\.\d+)?)(万元|亿元|万平方米|人|个|家|条|项|篇|宗|户)")
_REPORT_MONEY = frozenset({"万元", "亿元", "万平方米"})
_ALIAS = re.compile(r"以下简称“([^”]{2,12})”")


@dataclass(slots=True)
class CorpusCounts:
    """What the generator wrote: the numbers the extractor must find again."""

    seed: int
    forms: int = 0
    files: int = 0
    forms_by_type: Counter = field(default_factory=Counter)
    indicator_rows: int = 0
    budget_lines: int = 0
    narratives: int = 0
    bytes: int = 0
    templates: Counter = field(default_factory=Counter)
    page_breaks: Counter = field(default_factory=Counter)
    by_file: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "seed": self.seed, "files": self.files, "forms": self.forms,
            "forms_by_type": dict(sorted(self.forms_by_type.items())),
            "indicator_rows": self.indicator_rows, "budget_lines": self.budget_lines,
            "narratives": self.narratives, "bytes": self.bytes,
            "templates": dict(sorted(self.templates.items())),
            "page_breaks": dict(sorted(self.page_breaks.items())),
            "by_file": self.by_file,
        }


@dataclass(slots=True)
class GeneratedForm:
    """One form as written; `indicator_values` are the (三级, half-year, full-year) texts of its
    indicator rows, in print order."""

    template: object
    text: str
    page_break: str
    indicator_values: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class FormContext:
    """What the forms of one file share (the issuer, the supervising department)."""

    issuer: str
    supervising_dept: str


# -- names and numbers ---------------------------------------------------------------------
def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _project_name(rng: random.Random) -> str:
    return rng.choice(TOPICS) + rng.choice(PROJECT_KINDS)


def _dept_unit(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(CITIES) + rng.choice(BUREAUS) + rng.choice(UNIT_SUFFIXES)
    return rng.choice(CITIES)[:-1] + rng.choice(DISTRICTS[:14]) + rng.choice(PARKS) + rng.choice(UNIT_SUFFIXES)


def _context(rng: random.Random, doc_type: str) -> FormContext:
    """A file's issuer and supervising department, in one city."""
    city = rng.choice(CITIES)
    issuer = city + rng.choice(CITY_LEVELS) if doc_type == PROJECT_TARGET else rng.choice(DISTRICTS)
    return FormContext(issuer, city + rng.choice(BUREAUS))


def format_amount(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _scale_amount(token: str, factor: float) -> str:
    if token in SCHEDULE_TOKENS or float(token.replace(",", "")) == 0:
        return token
    return format_amount(max(0.01, float(token.replace(",", "")) * factor))


def _scale_number(number: str, factor: float, percent: bool) -> str:
    value = float(number)
    if value == 0 or (percent and value == 100):
        return number
    decimals = len(number.split(".")[1]) if "." in number else 0
    scaled = value * factor
    if percent:
        scaled = min(100.0, scaled)
    if decimals:
        return f"{max(scaled, 10 ** -decimals):.{decimals}f}"
    return str(max(1, round(scaled)))


@lru_cache(maxsize=4096)
def _value_shape(value: str) -> tuple | None:
    """('number', comparator, number, unit) of a number target, ('word', variants) of a
    qualitative word with synonyms, None for a value that is kept as printed."""
    text = value.strip()
    match = _VALUE.match(text)
    if match:
        return None if match["unit"].strip() in _KEEP_UNITS else ("number", match["cmp"], match["num"], match["unit"])
    return ("word", QUALITATIVE_VARIANTS[text]) if text in QUALITATIVE_VARIANTS else None


def randomise_values(level3: str, half: str, full: str, rng: random.Random) -> tuple[str, str]:
    """New target values of one indicator row: one factor for both, so half ≤ full still holds.
    Durations, deadlines and the half-year 预算执行率 (tied to the amounts) are kept."""
    if "预算执行率" in level3 or "天" in level3:
        return half, full
    factor = rng.uniform(0.5, 2.0)
    variant = rng.random()
    in_percent = "%" in level3

    def rewrite(value: str) -> str:
        shape = _value_shape(value)
        if shape is None:
            return value
        if shape[0] == "word":
            return shape[1][int(variant * len(shape[1]))]
        _, comparator, number, unit = shape
        return comparator + _scale_number(number, factor, in_percent or unit == "%") + unit

    return rewrite(half), rewrite(full)


# -- target forms ----------------------------------------------------------------------------
def _name_map(template: TargetTemplate, context: FormContext, rng: random.Random) -> dict[str, str]:
    names = template.names
    mapping: dict[str, str] = {}
    if template.doc_type == PROJECT_TARGET:
        if "project_name" in names:
            mapping[names["project_name"]] = _project_name(rng)
        for key in ("supervising_dept", "implementing_unit", "unit_name"):
            old = names.get(key)
            if old and old not in mapping:
                mapping[old] = context.supervising_dept
    elif "unit_name" in names:
        mapping[names["unit_name"]] = _dept_unit(rng)
    if template.contact and any("\u4e00" <= ch <= "\u9fff" for ch in template.contact):
        mapping[template.contact] = _person(rng)
    return mapping


def _renamed_budget_label(old: str, stem: str) -> str:
    suffix = _YEAR_SUFFIX.search(old)
    return stem + (suffix.group(1) if suffix else "")


def _render_prelude(template: TargetTemplate, title: str, names: dict[str, str], factor: float,
                    rng: random.Random, renames: dict[str, str]) -> list[str]:
    lines = []
    rename_projects = template.doc_type == DEPT_TARGET
    stems = rng.sample(BUDGET_STEMS, len(BUDGET_STEMS)) if rename_projects else []
    for line in template.prelude:
        cells = line.cells
        if line.is_title or line.amount_cols or (line.rename_col is not None and rename_projects):
            cells = list(cells)
            if line.is_title:
                col = next(c for c, text in enumerate(cells) if text.strip())
                cells[col] = title
            for col in line.amount_cols:
                cells[col] = " ".join(_scale_amount(token, factor) for token in cells[col].strip().split(" "))
            if line.rename_col is not None and rename_projects:
                old = cells[line.rename_col].strip()
                new = _renamed_budget_label(old, stems.pop() if stems else rng.choice(BUDGET_STEMS))
                renames[squash(old)] = new
                cells[line.rename_col] = new
        text = "\t".join(cells)
        for old, new in names.items():
            if old in text:
                text = text.replace(old, new)
        lines.append(text)
    return lines


def _permuted_rows(table: TableTemplate, rng: random.Random) -> tuple[list[TableRow], list[tuple | None]]:
    """Rows in print order and the content (三级, half, full) each prints."""
    rows = list(table.rows)
    if table.is_duty:
        start = 0
        while start < len(rows):
            end = start
            while (end < len(rows) and rows[end].slot is not None and not rows[end].labelled
                   and rows[end].group == rows[start].group):
                end += 1
            if end - start > 1:
                run = rows[start:end]
                rng.shuffle(run)
                rows[start:end] = run
            start = max(end, start + 1)
        return rows, [row.content for row in rows]
    contents = [row.content for row in rows]
    groups: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        if row.slot is not None:
            groups.setdefault(row.group, []).append(index)
    for members in groups.values():
        if len(members) > 1:
            moved = [contents[i] for i in members]
            rng.shuffle(moved)
            for index, content in zip(members, moved, strict=True):
                contents[index] = content
    return rows, contents


def _row_text(row: TableRow, state: str, content: tuple | None, rng: random.Random,
              renames: dict[str, str], written: list[tuple[str, str, str]]) -> str:
    source = row.pre if state == PRE else row.post
    if content is None:
        return "\t".join(source)
    cells = list(source)
    content_cols, label_cols = row.layout[state]
    level3, half, full = content
    half, full = randomise_values(level3, half, full, rng)
    written.append((level3.strip(), half.strip(), full.strip()))
    cells[content_cols[0]], cells[content_cols[1]], cells[content_cols[2]] = level3, half, full
    if renames:
        for col in label_cols:
            key = squash(cells[col])
            if key in renames:
                new = renames[key]
                cells[col] = new.replace("（", "(").replace("）", ")") if "(" in cells[col] else new
    return "\t".join(cells)


def _choose_breaks(template: TargetTemplate, rng: random.Random) -> tuple[dict[int, int], str]:
    """Break position per table index (row index the blank line precedes), and what was done."""
    breaks: dict[int, int] = {}
    movable = False
    for index, table in enumerate(template.tables):
        if table.template_break is None:
            continue
        if table.break_pinned:
            breaks[index] = table.template_break
        else:
            movable = True
    candidates = [(index, p) for index, table in enumerate(template.tables)
                  if not table.is_duty and not table.break_pinned and index not in breaks
                  for p in table.valid_breaks]
    if movable:
        index, p = rng.choice(candidates)
        breaks[index] = p
        return breaks, "moved"
    if breaks:
        return breaks, "kept"
    if candidates and rng.random() < BREAK_ADDED_SHARE:
        index, p = rng.choice(candidates)
        breaks[index] = p
        return breaks, "added"
    return breaks, "none"


def render_target(template: TargetTemplate, context: FormContext, rng: random.Random) -> GeneratedForm:
    names = _name_map(template, context, rng)
    factor = rng.uniform(0.3, 3.0)
    renames: dict[str, str] = {}
    title = template.title_pattern.replace("{issuer}", context.issuer)
    lines = _render_prelude(template, title, names, factor, rng, renames)
    breaks, break_kind = _choose_breaks(template, rng)
    written: list[tuple[str, str, str]] = []
    for index, table in enumerate(template.tables):
        lines.append("\t".join(table.header))
        rows, contents = _permuted_rows(table, rng)
        at = breaks.get(index)
        for position, (row, content) in enumerate(zip(rows, contents, strict=True)):
            if position == at:
                lines.append("")
            state = POST if at is not None and position >= at else PRE
            lines.append(_row_text(row, state, content, rng, renames, written))
        lines.extend([""] * table.trailing_blanks)
    return GeneratedForm(template, "\n".join(lines), break_kind, written)


# -- self-evaluation reports -----------------------------------------------------------------
def render_report(template: ReportTemplate, rng: random.Random) -> GeneratedForm:
    text = "\n".join(template.lines)
    unit = rng.choice(CITIES) + rng.choice(INSTITUTES)
    text = text.replace(template.unit_name, unit)
    for alias in dict.fromkeys(_ALIAS.findall(text)):
        text = text.replace(alias, "本单位")
    factor = rng.uniform(0.5, 2.0)

    def figure(match: re.Match) -> str:
        number, unit_word = match.group(1), match.group(2)
        if unit_word in _REPORT_MONEY:
            return _scale_number(number, factor, percent=False) + unit_word
        if float(number) < 10:  # small counts are usually listed by name in the same sentence
            return match.group(0)
        return _scale_number(number, rng.uniform(0.6, 1.6), percent=False) + unit_word

    return GeneratedForm(template, _REPORT_FIGURE.sub(figure, text), "none")


# -- files -----------------------------------------------------------------------------------
def _pick_source(templates: TemplateSet, doc_type: str, rng: random.Random) -> list:
    """The forms of one sample: a file's forms share their sample's layout, as 004's do."""
    by_source = templates.by_type[doc_type]
    return by_source[rng.choice(sorted(by_source))]


def _forms_in_file(rng: random.Random, remaining: int) -> int:
    count = 1 if rng.random() < SINGLE_FORM_SHARE else rng.randint(2, MAX_FORMS_PER_FILE)
    return min(count, remaining)


def generate_files(n_forms: int, seed: int, templates: TemplateSet) -> Iterator[tuple[str, bytes, list[GeneratedForm]]]:
    """(file name, bytes, forms) for each file of a corpus of `n_forms` forms; deterministic
    for a seed. Files never repeat a text (the extractor loads a repeated text once)."""
    rng = random.Random(seed)
    kinds = [kind for kind in FORM_SHARES if templates.by_type.get(kind)]
    mean_forms = SINGLE_FORM_SHARE + (1 - SINGLE_FORM_SHARE) * (2 + MAX_FORMS_PER_FILE) / 2
    weights = [FORM_SHARES[kind] / (1 if kind == DEPT_SELF_EVAL else mean_forms) for kind in kinds]
    seen: set[bytes] = set()
    remaining = n_forms
    index = 0
    while remaining > 0:
        kind = rng.choices(kinds, weights)[0]
        source = _pick_source(templates, kind, rng)
        if kind == DEPT_SELF_EVAL:
            forms = [render_report(rng.choice(source), rng)]
        else:
            count = _forms_in_file(rng, remaining)
            context = _context(rng, kind)
            forms = [render_target(rng.choice(source), context, rng) for _ in range(count)]
        data = ("\n\n" + "\n\n".join(form.text for form in forms)).encode("utf-8")
        digest = hashlib.sha256(data).digest()
        if digest in seen:
            continue
        seen.add(digest)
        index += 1
        remaining -= len(forms)
        yield f"{index:06d}_{digest.hex()[:16]}.txt", data, forms


def write_corpus(n_forms: int, out_dir: Path, seed: int = 0, samples_dir: Path = SAMPLES_DIR) -> CorpusCounts:
    """Write the corpus and OUT/corpus_counts.json; files are streamed, one at a time."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.glob("*.txt")):
        raise FileExistsError(f"{out_dir} already holds .txt files: give an empty or new folder")
    templates = load_templates(samples_dir)
    counts = CorpusCounts(seed=seed)
    for name, data, forms in generate_files(n_forms, seed, templates):
        (out_dir / name).write_bytes(data)
        counts.files += 1
        counts.bytes += len(data)
        counts.by_file[name] = [form.template.name for form in forms]
        for form in forms:
            template = form.template
            counts.forms += 1
            counts.forms_by_type[template.doc_type] += 1
            counts.indicator_rows += len(form.indicator_values)
            counts.budget_lines += template.budget_lines
            counts.narratives += template.narratives
            counts.templates[template.name] += 1
            counts.page_breaks[form.page_break] += 1
    (out_dir / COUNTS_FILE).write_text(json.dumps(counts.as_json(), ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return counts
