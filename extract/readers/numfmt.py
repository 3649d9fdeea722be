"""A spreadsheet value as the sheet shows it. Workbooks store 83300 as 83300.0, 95% as 0.95 and
dates as day counts; the form printed `83300`, `95%` and `2026年1月`. openpyxl and xlrd give
the value and the cell's number format code; this applies the code for the formats forms use
(General, fixed decimals, thousands separators, percent, literal units, dates)."""

from __future__ import annotations

import datetime as dt
import re

_BRACKETS = re.compile(r"\[[^\]]*\]")  # [Red], [$-804], [DBNum1]: colour and locale, not shown
_QUOTED = re.compile(r'"([^"]*)"')
_DATE_CODE = re.compile(r"(?i)(yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|e|\.0+)")
_NUMBER_PART = re.compile(r"[#0?,.]*[0#?][#0?,.]*(?:[eE][+-][0#]+)?")
# Built-in date formats whose display depends on the reader's locale: shown as a zh-CN Excel does
_LOCALE_DATES = {"mm-dd-yy": "yyyy/m/d", "m/d/yy h:mm": "yyyy/m/d h:mm", "d-mmm-yy": "yyyy/m/d"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def general(value: float) -> str:
    """Excel's General format for a number: no trailing `.0`, at most 15 significant digits
    (so 0.1+0.2 shows as 0.3 and 4128.4 stays 4128.4)."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    return text.replace("e+", "E+").replace("e-", "E-")


def _section(code: str, value: float) -> tuple[str, bool]:
    """The section of a `pos;neg;zero;text` code that applies, and whether the sign is in it."""
    sections = code.split(";")
    if value < 0 and len(sections) > 1 and sections[1]:
        return sections[1], True
    if value == 0 and len(sections) > 2 and sections[2]:
        return sections[2], False
    return sections[0], False


def _literal(part: str) -> str:
    """The characters a code prints as they are: quoted text, `\\x`, and plain literal
    characters; `_x` (a gap the width of x) and `*x` (fill) print nothing."""
    out, i = [], 0
    while i < len(part):
        char = part[i]
        if char == '"':
            end = part.find('"', i + 1)
            end = len(part) if end < 0 else end
            out.append(part[i + 1:end])
            i = end + 1
            continue
        if char in "\\" and i + 1 < len(part):
            out.append(part[i + 1])
            i += 2
            continue
        if char in "_*" and i + 1 < len(part):
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _number(value: float, placeholder: str, percent: bool) -> str:
    if percent:
        value = value * 100
    if "e" in placeholder.lower():
        mantissa = placeholder.lower().split("e")[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return f"{value:.{decimals}E}".replace("E+0", "E+").replace("E-0", "E-")
    integer, _, fraction = placeholder.partition(".")
    decimals = sum(1 for ch in fraction if ch in "0#?")
    required = sum(1 for ch in fraction if ch == "0")
    text = f"{abs(value):,.{decimals}f}" if "," in integer else f"{abs(value):.{decimals}f}"
    if decimals > required:  # `#` decimals are shown only when not zero
        head, _, tail = text.partition(".")
        tail = tail.rstrip("0")
        tail = tail + "0" * max(0, required - len(tail))
        text = head + ("." + tail if tail else "")
    if integer.strip(",") and not any(ch == "0" for ch in integer) and text.startswith("0."):
        text = text[1:]  # `#.00` prints .5, not 0.5
    return text


def format_number(value: float, code: str | None) -> str:
    """`value` printed with number format `code` (General when none)."""
    if code is None or code.strip().lower() in ("", "general", "@"):
        return general(value)
    section, sign_in_section = _section(code, value)
    section = _BRACKETS.sub("", section)
    bare = _QUOTED.sub("", section)
    match = _NUMBER_PART.search(bare.replace("\\", ""))
    if match is None:  # a code with no digit placeholder prints only its literals
        return _literal(section) or general(value)
    percent = "%" in bare
    number = _number(value, match.group(0), percent)
    # Split the section around the placeholder (searched again outside quotes) for the literals
    start = _find_outside_quotes(section, match.group(0))
    before, after = section[:start], section[start + len(match.group(0)):]
    sign = "-" if value < 0 and not sign_in_section and number.strip("0.,") else ""
    return f"{sign}{_literal(before)}{number}{_literal(after)}"


def _find_outside_quotes(section: str, needle: str) -> int:
    inside = False
    for i, char in enumerate(section):
        if char == '"':
            inside = not inside
        elif not inside and section.startswith(needle, i):
            return i
    return 0


def is_date_code(code: str | None) -> bool:
    """True when a number format shows a date or time (y, d, h or s outside quotes)."""
    if not code:
        return False
    bare = _BRACKETS.sub("", _QUOTED.sub("", code.split(";")[0])).lower()
    return any(ch in bare for ch in "ydhs") or bare in ("mm-dd-yy",)


def format_date(value: dt.datetime | dt.date | dt.time, code: str | None) -> str:
    """A date or time printed with its number format; ISO when the code shows none."""
    code = _LOCALE_DATES.get((code or "").strip().lower(), code or "")
    if not is_date_code(code):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    section = _BRACKETS.sub("", code.split(";")[0])
    has_hours = bool(re.search(r"(?i)h", _QUOTED.sub("", section)))
    twelve = bool(re.search(r"(?i)am/pm|a/p", section))
    parts, i, previous = [], 0, ""
    while i < len(section):
        if section[i] == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            parts.append(section[i + 1:end])
            i = end + 1
            continue
        if section[i] == "\\" and i + 1 < len(section):
            parts.append(section[i + 1])
            i += 2
            continue
        match = _DATE_CODE.match(section, i)
        if match is None:
            parts.append(section[i])
            i += 1
            continue
        token = match.group(0).lower()
        following = section[match.end():].lstrip(" :.-/").lower()
        minutes = token in ("m", "mm") and (previous in ("h", "hh") or following.startswith("s")) and has_hours
        parts.append(_date_token(value, token, minutes, twelve))
        previous = token
        i = match.end()
    return "".join(parts)


def _date_token(value: dt.datetime | dt.date | dt.time, token: str, minutes: bool, twelve: bool) -> str:
    get = lambda name, default=0: getattr(value, name, default)  # noqa: E731 - a date has no hour
    if minutes:
        return f"{get('minute'):0{len(token)}d}"
    if token == "yyyy" or token == "e":
        return f"{get('year', 1900):04d}"
    if token == "yy":
        return f"{get('year', 1900) % 100:02d}"
    if token in ("m", "mm"):
        return f"{get('month', 1):0{len(token)}d}"
    if token in ("mmm", "mmmm", "mmmmm"):
        name = _MONTHS[get("month", 1) - 1]
        return {3: name[:3], 4: name, 5: name[0]}[len(token)]
    if token in ("d", "dd"):
        return f"{get('day', 1):0{len(token)}d}"
    if token in ("ddd", "dddd"):
        name = _DAYS[value.weekday()] if hasattr(value, "weekday") else ""
        return name[:3] if token == "ddd" else name
    if token in ("h", "hh"):
        hour = get("hour")
        if twelve:
            hour = hour % 12 or 12
        return f"{hour:0{len(token)}d}"
    if token in ("s", "ss"):
        return f"{get('second'):0{len(token)}d}"
    if token in ("am/pm", "a/p"):
        morning = get("hour") < 12
        return ("AM" if morning else "PM") if token == "am/pm" else ("A" if morning else "P")
    if token.startswith("."):  # fractions of a second
        micro = get("microsecond")
        return "." + f"{micro:06d}"[:len(token) - 1]
    return token


def format_value(value: object, code: str | None) -> str:
    """Any cell value as printed: text as it is, numbers and dates by their format code,
    booleans as Excel shows them, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return format_date(value, code)
    if isinstance(value, int | float):
        return format_number(value, code)
    return str(value)
