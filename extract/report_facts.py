"""A self-evaluation report's prose → the figures it quotes, each under a stable fact key.

Reports (部门整体绩效自评价报告) have no tables: every number sits in a sentence ('本年度收入
567.37万元，其中一般公共预算财政拨款收入559.87万元，占总收入98.68%'). This step finds each
figure (a number and the unit printed after it), names it from the words around it, and
returns it with the sentence and line it came from. It reads layout, not meaning: nothing is
converted, so dbt can audit every row against the sentence beside it.

Fact keys (dbt keys on them, so they are data here, not code paths):

* The core figures of the template get fixed snake_case keys from `LABELS` (label words →
  key, with the unit kinds the key accepts): staffing, internal departments, assets, income,
  spending, 年初预算, 决算, 三公经费 and its parts, 会议费, 培训费, 预算执行率. A figure is the
  label's when the label ends right before it (fillers such as 为/共/支出 in between) or, in
  the other word order ('设有4个内设部门'), starts right after it.
* Derived figures append a suffix to the key of the figure they qualify (the label before
  占/较 in their clause, else the previous figure of the sentence): `_share` ('占总收入
  98.68%'), `_increase` / `_decrease` for an amount or count of change ('较上年减少0.12万元'),
  `_increase_pct` / `_decrease_pct` / `_change_pct` for a rate ('较2022年增长16.13%', '提高2个
  百分点'). '分别' lists pair in order ('基本支出和项目支出分别为…', '占比分别为73.23%和79.44%').
* A fixed money key in a sentence about the budget difference (差异) gets `budget_variance_`
  in front, so the 事业收入 explaining a difference is not a second 事业收入.
* The grade (自评结论为“优”) is `evaluation_grade`, a printed score `evaluation_score`.
* Every other figure is generic: `<section>:<slug>`, section `performance` (部门履职成效, or
  a report without recognisable headings), `target` (绩效目标 sub-section) or `figure`
  (elsewhere). The slug is the naming words of the figure's clause with the figure taken
  out (lead + tail, years, quotes, punctuation and fillers dropped), first 20 characters:
  it depends on the clause's wording only, so adding a sentence elsewhere changes no key,
  and moving the figure inside its clause ('培训9874家园区企业' / '培训园区企业9874家') keeps it.
* A key seen again in the same document becomes `key#2`, `key#3` … in document order.
* Not from prose: a self-evaluation table's printed total row (合计 | 100 | 95) lands as
  `printed_total_weight` (full marks) and `printed_total_score`, its sentence the row's cells
  joined with ' | ' (extract/role_table.py `read_printed_total`, landed by extract/pipeline.py).

value_raw is the number as printed, never normalised: '567.37', '5,977', '十二', '两',
'1.2万' (a 万/亿 multiplier before a counting unit), a nil word from `NIL_WORDS` ('无',
'未发生': the expense was written as a word, dbt lands 0 and flags it, see `is_nil_word`),
'零' or '0' after an expense label with no unit, or a grade ('优'). `parse_number` is the one
reading of it (dbt needs the same rules). unit_raw is the unit as printed ('万元', '亿元', '元',
'%', '人', '家', '个', '万平方米', '分' …; a full-width ％ lands as '%'), and empty for a grade
and for a zero written without unit (0 in any unit is 0). Approximation words (近/约/余/多) are not part of value_raw;
the sentence keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from extract.cells import Row
from extract.report_sections import section_field

NIL_WORDS = ("无", "没有", "未发生", "未产生", "未列支", "未安排")  # the `nil` terms of seeds/value_vocabulary.csv
GRADES = ("优秀", "良好", "不合格", "合格", "优", "良", "中", "差")

MONEY, PEOPLE, COUNT, PERCENT, POINTS, AREA = "money", "people", "count", "percent", "points", "area"
_UNIT_KINDS = {
    "亿元": MONEY, "万元": MONEY, "千元": MONEY, "元": MONEY, "人": PEOPLE, "名": PEOPLE, "%": PERCENT,
    "个百分点": POINTS, "万平方米": AREA, "平方米": AREA, "亩": AREA,
}
# longest first; the lookahead keeps '3个月', '人民', '项目', '一次性' out
_UNITS = (
    ("万平方米", ""), ("平方米", ""), ("个百分点", ""), ("亿元", ""), ("万元", ""), ("千元", ""),
    ("元", "素旦"), ("人次", ""), ("%", ""), ("人", "民大才工口士"), ("名", "称单义录额"),
    ("家", "庭长属乡"), ("个", "月"), ("条", "例件款"), ("篇", "章幅"), ("宗", "旨教"),
    ("户", "籍口"), ("期", "间限待望末初刊"), ("项", "目"), ("次", "数性"), ("场", "所景地馆"),
    ("件", ""), ("亩", ""), ("公里", ""),
)
_COUNT_UNITS = "家个人名户条篇宗期项次场件"
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_CHARS = _CN_DIGITS + "十百千万亿"
_NUM_ARABIC = rf"(?<![\d.,A-Za-z])(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?:[万亿](?=[余多]?[{_COUNT_UNITS}]))?"
_NUM_CHINESE = rf"(?<![{_CN_CHARS}统唯同逐单之每任])[{_CN_DIGITS}十][{_CN_CHARS}]*?(?:点[{_CN_DIGITS}]+)?"
_UNIT_ALTERNATIVES = "|".join(
    re.escape(unit) + (f"(?![{banned}])" if banned else "") for unit, banned in _UNITS)
_FIGURE = re.compile(
    rf"(?P<value>{_NUM_ARABIC}|{_NUM_CHINESE})(?P<qualifier>余|多)?(?P<unit>{_UNIT_ALTERNATIVES})")

# words that may stand between a label and its number: '会议费支出为', '资产总额共计'
_FILLER = r"(?:支出|开支|经费|金额|费用|总额|合计|总计|共计|累计|共有|达到|超过|数额|为|是|达|共|计|约|近|有|：|:|\s)*"
_HARD_BOUNDARY = re.compile(r"[，,：:\t]")
_SEPARATORS = re.compile(r"[、，,和及与以或第\s]*")
_SENTENCE = re.compile(r"[^。；;！？!?]+")


@dataclass(frozen=True, slots=True)
class Label:
    """One fixed key: the label words that name it and the unit kinds its figures can have."""

    fact_key: str
    words: str
    kinds: frozenset[str]
    nil_allowed: bool = False
    # a shorter name that may follow the figure when the clause before it says what it is:
    # (words after the figure, words the clause must hold) — '内设综合管理部等4个部门'
    after: tuple[str, str] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        """The label ending a lead: only fillers may stand between it and the figure."""
        return re.compile(rf"(?:{self.words})(?={_FILLER}$)")

    @property
    def after_patterns(self) -> tuple[re.Pattern[str], re.Pattern[str] | None, re.Pattern[str] | None]:
        """The label starting a tail ('4个内设部门'), and its `after` name and clause words."""
        short = (re.compile(rf"(?:的)?(?:{self.after[0]})"), re.compile(self.after[1])) if self.after else (None, None)
        return re.compile(rf"(?:的)?(?:{self.words})"), *short


def _label(key: str, words: str, *kinds: str, nil_allowed: bool = False,
           after: tuple[str, str] | None = None) -> Label:
    return Label(key, words, frozenset(kinds), nil_allowed, after)


LABELS = (
    _label("staff_authorized", r"(?:核定)?编制(?:人数|数|人员)?|定编(?:人数)?", PEOPLE),
    _label("staff_actual", r"实有(?:编内|在编|在职)?(?:人数|人员)?|(?:在编|在职|编内)(?:人数|人员)", PEOPLE),
    _label("staff_retired", r"退休(?:人数|人员)", PEOPLE),
    _label("internal_departments", r"(?:内设|下设)(?:部门|机构|科室|处室)?", COUNT,
           after=(r"部门|机构|科室|处室", r"内设|下设|设有|设置")),
    _label("assets_total", r"(?<![净动定形])资产(?:总额|总计|合计)?|总资产", MONEY),
    _label("assets_current", r"(?<!非)流动资产", MONEY),
    _label("assets_noncurrent", r"非流动资产", MONEY),
    _label("assets_fixed", r"固定资产", MONEY),
    _label("assets_intangible", r"无形资产", MONEY),
    _label("liabilities_total", r"负债(?:总额|合计)?|总负债", MONEY),
    _label("net_assets", r"净资产", MONEY),
    _label("income_total", r"(?:本年度?|全年|年度)总?收入(?:合计|总额|总计)?|收入(?:合计|总额|总计)|总收入"
                           r"|(?:取得|实现)收入", MONEY),
    _label("income_general_budget", r"一般公共预算(?:财政)?(?:拨款)?收入|一般公共预算(?:财政)?拨款", MONEY),
    _label("income_fiscal_appropriation", r"财政拨款收入", MONEY),
    _label("income_government_fund", r"政府性基金(?:预算)?(?:财政)?(?:拨款)?收入", MONEY),
    _label("income_business", r"事业收入", MONEY),
    _label("income_operating", r"经营收入", MONEY),
    _label("income_other", r"其他收入", MONEY),
    _label("expenditure_total", r"(?:本年度?|全年|年度)总?支出(?:合计|总额|总计)?|支出(?:合计|总额|总计)|总支出"
                                r"|(?:发生|实际)支出", MONEY),
    _label("expenditure_basic", r"基本支出", MONEY),
    _label("expenditure_project", r"项目支出", MONEY),
    _label("budget_initial", r"年初(?:收入支出|收支)?预算(?:数|总额)?", MONEY),
    _label("budget_initial_income", r"年初收入预算|收入年初预算|年初预算收入", MONEY),
    _label("budget_initial_expenditure", r"年初支出预算|支出年初预算|年初预算支出", MONEY),
    _label("income_final_account", r"收入(?:年终)?决算(?:数)?|决算收入", MONEY),
    _label("expenditure_final_account", r"支出(?:年终)?决算(?:数)?|决算支出", MONEY),
    _label("budget_execution_rate", r"预算执行率", PERCENT),
    _label("three_public_total", r"三公经费|三公支出", MONEY, nil_allowed=True),
    _label("three_public_vehicle", r"公务用车购置及运行(?:维护)?费", MONEY, nil_allowed=True),
    _label("three_public_vehicle_operation", r"公(?:务用)?车运行(?:维护|维修)?费|公务用车运维费", MONEY,
           nil_allowed=True),
    _label("three_public_vehicle_purchase", r"公(?:务用)?车购置费", MONEY, nil_allowed=True),
    _label("three_public_reception", r"公务接待费", MONEY, nil_allowed=True),
    _label("three_public_overseas", r"(?:因公)?出国境?费", MONEY, nil_allowed=True),
    _label("meeting_expense", r"会议费", MONEY, nil_allowed=True),
    _label("training_expense", r"培训费", MONEY, nil_allowed=True),
)
_NIL_LABELS = "|".join(label.words for label in LABELS if label.nil_allowed)
# compiled once: the re module's own cache lookup cost more than the searches themselves
_LEAD_PATTERNS = tuple((label, label.pattern) for label in LABELS)
_AFTER_PATTERNS = tuple((label, *label.after_patterns) for label in LABELS)
_NIL_PATTERNS = tuple((label.fact_key, re.compile(label.words)) for label in LABELS if label.nil_allowed)
_NIL_AFTER = re.compile(
    rf"(?P<label>{_NIL_LABELS}){_FILLER}(?P<value>无|没有|零|0(?:\.0+)?)(?=$|[，,、）)\s]|支出|开支|发生)")
_NIL_LABEL_ANY = re.compile(_NIL_LABELS)
_NIL_BEFORE = re.compile(rf"(?P<value>{'|'.join(NIL_WORDS)})(?P<label>{_NIL_LABELS})")
_GRADE = re.compile(
    r"(?:自评|评价|考评|绩效|综合)(?:结论|等级|结果|等次|评级)(?:为|是|：|:|评定为|确定为|定为)?\s*"
    rf"(?P<value>{'|'.join(GRADES)})(?=$|[^\u4e00-\u9fff]|等|级)")
_SCORE = re.compile(r"(?:得分|总分|评分|分数)(?:为|是|：|:|达)?\s*(?P<value>\d+(?:\.\d+)?)(?P<unit>分)?")
_SHARE = re.compile(r"占(?!用|地|有|领|据)")
_VERSUS = re.compile(r"与(?:上年|去年)相比|比上一?年|比去年|同比|环比|较")
_UP = re.compile(r"增长|增加|提高|上升|提升|增")
_DOWN = re.compile(r"下降|减少|降低|压减|节约|下滑|减")
_BARE_CHANGE = re.compile(r"^(?:同比|环比)?(?:增长|增加|提高|上升|提升|下降|减少|降低|压减|下滑)了?(?:为|达)?$")
_VARIANCE_KEYS = re.compile(r"^(?:income|expenditure)_")

_YEARS = re.compile(r"\d{4}(?:[—\-－–~～至到]\d{4})?年(?:度)?|本年度|本年|全年|上年度|上年")
_NOT_SLUG = re.compile(r"[^\w]|_")
_LEAD_WORDS = re.compile(r"^(?:其中|并且|并|同时|另外|此外|以及|截至目前|截至|截止|目前|累计|共计|合计|总计|共|对|在|"
                         r"为|第|分别|已经|已|还|和|及|与)+")
_TRAIL_WORDS = re.compile(r"(?:共计|合计|总计|累计|共有|达到|超过|分别为|分别|为|是|达|共|计|约|近|超|逾|有|第|的)+$")
_TAIL_WORDS = re.compile(r"^(?:的|以上|左右|余)+")
_SLUG_CHARS = 20
_LONG_TITLE = re.compile(r"《[^《》]{9,}》")
_SECTION_PREFIX = {"achievements": "performance"}
_SUBHEADING = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]")
# a character class, not str.translate: translate walks a CJK sentence ten times slower
_QUOTES = re.compile("[“”\"‘’'「」『』]")
_OVERSEAS_PARENS = re.compile(r"[（(]境[)）]")
_TAIL_END = re.compile(r"[，,：:\t、（(）)]")
_LEAD_END = re.compile(r"[、（(）)]")
_LIST_JOINS = re.compile(r"[、和及与]")


@dataclass(slots=True)  # not frozen, as _Hit: one per figure of every report
class FactFound:
    """One figure of a report: the report_facts.csv row without its doc_id."""

    fact_key: str
    value_raw: str
    unit_raw: str
    sentence: str
    source_line: int


@dataclass(slots=True)  # not frozen: a frozen dataclass is three times slower to build
class _Hit:
    """A figure inside one (normalised) sentence; fact_key is set when the scan already knows it."""

    start: int
    end: int
    value_raw: str
    unit_raw: str
    fact_key: str | None = None

    @property
    def kind(self) -> str:
        return _UNIT_KINDS.get(self.unit_raw, COUNT)


def read_report_facts(rows: Iterable[Row]) -> list[FactFound]:
    """Every figure of a report's prose, in document order, keys made unique per document."""
    found: list[FactFound] = []
    section, prefix = "", "performance"
    for row in rows:
        line = "\t".join(row.cells).strip()
        if not line:
            continue
        section, prefix = _context_after(line, section, prefix)
        for sentence in _SENTENCE.finditer(line):
            text = sentence.group().strip()
            if text:
                found.extend(_sentence_facts(text, row.line_no, prefix))
    return _disambiguate(found)


def parse_number(value_raw: str) -> Decimal | None:
    """The number a value_raw stands for: '5,977' → 5977, '十二' → 12, '1.2万' → 12000,
    '无' → 0 (see NIL_WORDS for the flag); None for anything else (a grade, a typo)."""
    text = value_raw.strip()
    if not text:
        return None
    if text in NIL_WORDS:
        return Decimal(0)
    multiplier = 1
    if text[-1:] in ("万", "亿") and len(text) > 1 and (text[-2].isdigit() or "点" in text):
        multiplier, text = (10_000 if text[-1] == "万" else 100_000_000), text[:-1]
    arabic = re.fullmatch(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", text)
    if arabic:
        try:
            return Decimal(text.replace(",", "")) * multiplier
        except InvalidOperation:  # pragma: no cover - the pattern only admits digits
            return None
    whole, _, fraction = text.partition("点")
    integer = _chinese_integer(whole) if whole else 0
    if integer is None or any(char not in _CN_DIGITS for char in fraction) or ("点" in text and not fraction):
        return None
    digits = "".join(str(_digit_value(char)) for char in fraction)
    return (Decimal(f"{integer}.{digits}") if digits else Decimal(integer)) * multiplier


def is_nil_word(value_raw: str) -> bool:
    """True when the figure was written as a word meaning none ('无'): dbt lands 0 and a flag."""
    return value_raw.strip() in NIL_WORDS


def _digit_value(char: str) -> int:
    return 2 if char == "两" else (0 if char in "零〇" else "零一二三四五六七八九".index(char))


def _chinese_integer(text: str) -> int | None:
    """'二十' → 20, '一百零五' → 105, '两千' → 2000, '一亿二千万' → 120000000, '一九九一' → 1991."""
    if not text or any(char not in _CN_CHARS for char in text):
        return None
    if all(char in _CN_DIGITS for char in text):
        return int("".join(str(_digit_value(char)) for char in text))
    total, section, digit = 0, 0, None
    for char in text:
        if char in _CN_DIGITS:
            if digit is not None and digit != 0 and _digit_value(char) != 0:
                return None
            digit = _digit_value(char)
        elif char in "十百千":
            section += (1 if digit is None else digit) * {"十": 10, "百": 100, "千": 1000}[char]
            digit = None
        else:
            block = section + (digit or 0)
            if block == 0 and total == 0:
                return None
            total = (total + block) * 100_000_000 if char == "亿" else total + block * 10_000
            section, digit = 0, None
    return total + section + (digit or 0)


def _context_after(line: str, section: str, prefix: str) -> tuple[str, str]:
    """The section a line is in and the key prefix of its generic figures."""
    opened = section_field(line)
    if opened:
        field = opened[0]
        return field, _SECTION_PREFIX.get(field, "figure")
    if section == "overview" and _SUBHEADING.match(line) and len(line) <= 40:
        return section, "target" if "目标" in line else "figure"
    return section, prefix


def _normalise(sentence: str) -> str:
    """Quotes out ('“三公经费”'), '（境）' → '境', '％' → '%': label words become contiguous."""
    text = _QUOTES.sub("", sentence).replace("％", "%")
    return _OVERSEAS_PARENS.sub("境", text)


def _scan(text: str) -> list[_Hit]:
    hits = [_Hit(m.start(), m.end(), m.group("value"), m.group("unit")) for m in _FIGURE.finditer(text)]
    # both nil patterns need a nil label: one search for any rules most sentences out
    for pattern in (_NIL_AFTER, _NIL_BEFORE) if _NIL_LABEL_ANY.search(text) else ():
        hits.extend(_Hit(m.start(), m.end(), m.group("value"), "", _nil_key(m.group("label")))
                    for m in pattern.finditer(text))
    hits.extend(_Hit(m.start(), m.end(), m.group("value"), "", "evaluation_grade") for m in _GRADE.finditer(text))
    hits.extend(_Hit(m.start("value"), m.end(), m.group("value"), m.group("unit") or "", "evaluation_score")
                for m in _SCORE.finditer(text))
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def _nil_key(label_words: str) -> str:
    return next(key for key, pattern in _NIL_PATTERNS if pattern.fullmatch(label_words))


def _sentence_facts(sentence: str, line_no: int, prefix: str) -> list[FactFound]:
    text = _normalise(sentence)
    hits = _scan(text)
    keys: list[str] = []
    subjects: list[str] = []  # keys of the figures a later '占…'/'较…' figure may qualify
    index, previous_end = 0, 0
    while index < len(hits):
        hit = hits[index]
        if hit.fact_key:
            keys.append(_qualified(hit.fact_key, text, hit.start))
            subjects.append(keys[-1])
            previous_end, index = hit.end, index + 1
            continue
        clause = _clause(text[previous_end:hit.start])
        group, derived = _respectively(hits, index, text, clause, subjects, prefix)
        if group:
            keys.extend(group)
            if not derived:
                subjects.extend(group)
            previous_end, index = hits[index + len(group) - 1].end, index + len(group)
            continue
        tail = _tail(text, hits, index)
        relation = _relation(clause, hit.kind)
        if relation:
            label_text, suffix = relation
            base = _base_key(label_text, None, prefix, text, hit.start)
            if base:  # the clause names its subject ('三公经费较上年减少'): later figures may refer to it
                subjects.append(base)
            elif subjects:
                base = subjects[-1]
            keys.append(f"{base}{suffix}" if base else f"{prefix}:{suffix[1:]}")
        else:
            key = (_fixed_key(clause, hit.kind) or _fixed_key_after(tail, clause, hit.kind))
            if key:
                key = _qualified(key, text, hit.start)
            else:
                slug = (_slug(_lead_words(clause)) + _tail_words(tail))[:_SLUG_CHARS]
                continues_list = (not slug and index > 0 and hits[index - 1].unit_raw == hit.unit_raw
                                  and subjects and hits[index - 1].fact_key is None)
                key = subjects[-1] if continues_list else f"{prefix}:{slug or hit.unit_raw}"
            keys.append(key)
            subjects.append(key)
        previous_end, index = hit.end, index + 1
    return [FactFound(key, hit.value_raw, hit.unit_raw, sentence, line_no) for key, hit in zip(keys, hits, strict=True)]


def _clause(lead: str) -> str:
    """The words between the previous hard boundary (or figure) and this figure."""
    parts = _HARD_BOUNDARY.split(lead)
    return parts[-1]


def _tail(text: str, hits: list[_Hit], index: int) -> str:
    end = hits[index + 1].start if index + 1 < len(hits) else len(text)
    return _TAIL_END.split(text[hits[index].end:end], maxsplit=1)[0]


def _fixed_key(words: str, kind: str | None) -> str | None:
    """The fixed key whose label is followed by nothing but fillers up to the figure. The
    earliest such label wins ('三公经费支出合计' is 三公经费, '非流动资产' is not 资产): what
    follows it is fillers, even when those spell another label."""
    best: tuple[int, int, str] | None = None
    for label, pattern in _LEAD_PATTERNS:
        if kind is not None and kind not in label.kinds:
            continue
        match = pattern.search(words)
        if match:
            candidate = (-match.start(), match.end() - match.start(), label.fact_key)
            best = candidate if best is None or candidate[:2] > best[:2] else best
    return best[2] if best else None


def _fixed_key_after(tail: str, clause: str, kind: str) -> str | None:
    """The fixed key whose label follows the figure: '设有4个内设部门', '内设…等4个部门'."""
    best: tuple[int, str] | None = None
    for label, words, after_words, after_clause in _AFTER_PATTERNS:
        if kind not in label.kinds:
            continue
        match = words.match(tail)
        if not match and after_clause is not None and after_clause.search(clause):
            match = after_words.match(tail)
        if match and (best is None or match.end() > best[0]):
            best = (match.end(), label.fact_key)
    return best[1] if best else None


def _qualified(key: str, text: str, start: int) -> str:
    if _VARIANCE_KEYS.match(key) and "差异" in text[:start]:
        return f"budget_variance_{key}"
    return key


def _base_key(words: str, kind: str | None, prefix: str, text: str, start: int) -> str | None:
    """The key a label text names: fixed when it ends with a label, else generic, None if empty."""
    key = _fixed_key(words, kind)
    if key:
        return _qualified(key, text, start)
    slug = _slug(_lead_words(words))[:_SLUG_CHARS]
    return f"{prefix}:{slug}" if slug else None


def _relation(clause: str, kind: str) -> tuple[str, str] | None:
    """(label text, suffix) when the figure qualifies another: '占…%' → _share, '较上年增长' →
    _increase, '下降' → _decrease; a rate ('%', '个百分点') of change adds _pct."""
    share = list(_SHARE.finditer(clause))
    if share and kind in (PERCENT, POINTS) and len(clause) - share[-1].start() <= 12:
        return clause[:share[-1].start()], "_share"
    rate = "_pct" if kind in (PERCENT, POINTS) else ""
    versus = list(_VERSUS.finditer(clause))
    if versus and len(_YEARS.sub("", clause[versus[-1].start():])) <= 12:
        label_text, rest = clause[:versus[-1].start()], clause[versus[-1].end():]
    elif _BARE_CHANGE.match(clause.strip()):
        label_text, rest = "", clause
    else:
        return None
    if _DOWN.search(rest):
        return label_text, "_decrease" + rate
    if _UP.search(rest):
        return label_text, "_increase" + rate
    return (label_text, "_change_pct") if rate else None


def _respectively(hits: list[_Hit], index: int, text: str, clause: str, subjects: list[str],
                  prefix: str) -> tuple[list[str], bool]:
    """Keys for a '分别' list ('A和B分别为x、y', '占比分别为x和y') and whether they qualify
    earlier figures (shares); no keys when the list does not pair up."""
    if "分别" not in clause:
        return [], False
    size = 1
    while (index + size < len(hits) and hits[index + size].fact_key is None
           and hits[index + size].kind == hits[index].kind
           and _SEPARATORS.fullmatch(text[hits[index + size - 1].end:hits[index + size].start])):
        size += 1
    if size < 2:
        return [], False
    head = clause[:clause.index("分别")]
    kind: str | None = hits[index].kind
    suffix = ""
    share = list(_SHARE.finditer(head))
    if share and kind in (PERCENT, POINTS):
        head, suffix, kind = head[:share[-1].start()], "_share", None
    parts = [part for part in _LIST_JOINS.split(head) if _slug(_lead_words(part))]
    start = hits[index].start
    if len(parts) == size:
        bases = [_base_key(part, kind, prefix, text, start) for part in parts]
        return ([f"{base}{suffix}" for base in bases if base] if all(bases) else []), bool(suffix)
    if not parts and suffix and len(subjects) >= size:
        return [f"{base}{suffix}" for base in subjects[-size:]], True
    return [], False


def _lead_words(clause: str) -> str:
    """The naming words before a figure: after the last list comma or bracket of its clause."""
    return _LEAD_END.split(clause)[-1]


def _tail_words(tail: str) -> str:
    return _TAIL_WORDS.sub("", _slug(tail))


def _slug(words: str) -> str:
    """Naming words without years, long titles, punctuation, connectors and fillers at either
    end. A short 《title》 names the thing ('《南京统计情况简报》第56期'); a long one is a paper
    or report name that would crowd the words around it out of the slug."""
    text = _NOT_SLUG.sub("", _YEARS.sub("", _LONG_TITLE.sub("", words)))
    previous = None
    while previous != text:
        previous = text
        text = _TRAIL_WORDS.sub("", _LEAD_WORDS.sub("", text))
    return text


def _disambiguate(found: list[FactFound]) -> list[FactFound]:
    seen: dict[str, int] = {}
    unique: list[FactFound] = []
    for fact in found:
        seen[fact.fact_key] = seen.get(fact.fact_key, 0) + 1
        count = seen[fact.fact_key]
        if count == 1:
            unique.append(fact)  # immutable: the first of a key is kept as it is
        else:
            unique.append(FactFound(f"{fact.fact_key}#{count}", fact.value_raw, fact.unit_raw, fact.sentence,
                                    fact.source_line))
    return unique
