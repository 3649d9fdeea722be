"""Bytes of a web page → text. Chinese government pages are often GB2312 or GBK and say so in
a `<meta>` (and GB2312-declared pages routinely hold GBK-only characters), some declare nothing;
lxml's own guess from the bytes is not reliable for them, so the page is decoded here and lxml
is handed text whose encoding is known."""

from __future__ import annotations

import codecs
import re

from extract.readers.errors import ReaderError

_DECLARED = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_XML_DECLARED = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([-\w.:]+)["']""", re.IGNORECASE)
# The Chinese national encodings are all read as GB18030, their superset: a page that says GB2312
# but holds a GBK character (镕, 喆) still decodes
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
          "euc-cn": "gb18030", "hz-gb-2312": "hz", "csgb2312": "gb18030", "iso-8859-1": "cp1252",
          "latin1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def declared_encoding(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (`<meta charset>`, `<meta http-equiv>`
    or an XML declaration), as a Python codec name, or None."""
    head = data[:4096]
    match = _DECLARED.search(head) or _XML_DECLARED.search(head)
    if match is None:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    name = _WIDEN.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> tuple[str, str]:
    """The page's text and the encoding it was read with: a BOM first, then the declared
    charset if the bytes decode with it, then UTF-8, then GB18030. A BOM the body does not live
    up to (a UTF-8 mark before GBK text, as some editors save) is dropped and the rest tried."""
    body = data
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                body = data[len(bom):]
                break
    tried = []
    declared = declared_encoding(body)
    for encoding in (declared, "utf-8", "gb18030"):
        if encoding is None or encoding in tried:
            continue
        tried.append(encoding)
        try:
            # read from `body`, not the file's bytes: the caller parses the text, not `data`
            return body.decode(encoding), (encoding if body is data else f"{encoding} after a stray BOM")
        except UnicodeDecodeError:
            continue
    raise ReaderError("undecodable", f"the page decodes with none of {', '.join(tried)}", None)
