"""Enterprise names: normal form and pinyin initials for search (上海长寿软件有限公司 → SHCSRJYXGS)."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, pinyin

_char_cache: dict[str, str] = {}
_SPACES = re.compile(r"\s+")


def _initial(ch: str) -> str:
    hit = _char_cache.get(ch)
    if hit is None:
        if ch.isascii():
            hit = ch.upper() if ch.isalnum() else ""
        elif "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0002ffff":
            got = pinyin(ch, style=Style.FIRST_LETTER, heteronym=False, errors="ignore")
            hit = got[0][0][:1].upper() if got and got[0] and got[0][0] else ""
        else:
            hit = ""
        _char_cache[ch] = hit
    return hit


def initials(name: str) -> str:
    """Pinyin initials of the Chinese characters plus ASCII letters and digits, upper case.

    Cached per character, so 100,000 names take a fraction of a second."""
    return "".join(_initial(c) for c in name)[:200]


def normalize_name(raw: object) -> str:
    """Trim, collapse spaces, full-width brackets (the official form of registered names)."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    text = _SPACES.sub(" ", text).strip()
    text = text.replace("(", "（").replace(")", "）")
    # NFKC turned full-width brackets into ASCII first; the line above restores them.
    return re.sub(r"\s*（\s*", "（", re.sub(r"\s*）\s*", "）", text)).strip()
