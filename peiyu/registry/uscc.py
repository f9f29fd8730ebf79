"""Unified social credit codes (统一社会信用代码, GB 32100-2015) and legacy taxpayer IDs.

``normalize`` trims, converts full-width to half-width and upper-cases. ``validate`` explains a
failure in Chinese. ``classify_taxpayer_id`` tells a registry key (a valid USCC) from a legacy
taxpayer ID (15, 17 or 20 characters) that tax data still carries.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, …
ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]

_SPACES = re.compile(r"[\s\u00a0\u3000\-]+")
LEGACY_PATTERN = re.compile(r"^[0-9A-Z]{15}$|^[0-9A-Z]{17}$|^[0-9A-Z]{20}$")


def normalize(code: object) -> str:
    """Trim, full-width → half-width, drop inner spaces/dashes, upper case. ``None`` → ``""``."""
    if code is None:
        return ""
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    text = unicodedata.normalize("NFKC", str(code))
    return _SPACES.sub("", text).upper()


def check_character(first17: str) -> str:
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(first8: str) -> str:
    total = sum(ORG_ALPHABET.index(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else ("0" if c == 11 else str(c))


@dataclass(frozen=True)
class CodeCheck:
    code: str
    ok: bool
    message: str = ""


def validate(raw: object) -> CodeCheck:
    """Check a unified social credit code; ``message`` explains a failure in Chinese."""
    code = normalize(raw)
    if not code:
        return CodeCheck(code, False, "统一社会信用代码为空")
    if len(code) != 18:
        return CodeCheck(code, False, f"长度应为 18 位，实际 {len(code)} 位")
    bad = [c for c in code if c not in VALUES]
    if bad:
        shown = "、".join(dict.fromkeys(bad))
        return CodeCheck(code, False, f"含非法字符“{shown}”（不使用 I、O、S、V、Z）")
    if not code[2:8].isdigit():
        return CodeCheck(code, False, f"第 3–8 位应为行政区划代码（6 位数字），实际为“{code[2:8]}”")
    expected = check_character(code[:17])
    if code[17] != expected:
        return CodeCheck(code, False, f"校验码错误：第 18 位应为“{expected}”，实际为“{code[17]}”")
    org = code[8:17]
    if all(c in ORG_ALPHABET for c in org[:8]) and org[8] in "0123456789X":
        expected_org = org_check_character(org[:8])
        if org[8] != expected_org:
            return CodeCheck(
                code,
                False,
                f"组织机构代码（第 9–17 位）校验码错误：第 17 位应为“{expected_org}”，实际为“{org[8]}”",
            )
    else:
        return CodeCheck(code, False, f"组织机构代码部分（第 9–17 位）“{org}”格式不符")
    return CodeCheck(code, True)


def is_valid(raw: object) -> bool:
    return validate(raw).ok


def make_code(prefix8: str, org8: str) -> str:
    """Build a valid code from 8 leading characters (authority, category, area) and 8 organisation characters."""
    org = org8 + org_check_character(org8)
    first17 = prefix8 + org
    return first17 + check_character(first17)


class IdKind:
    USCC = "uscc"
    LEGACY = "legacy"  # 15/17/20-character taxpayer identification number
    INVALID = "invalid"


def classify_taxpayer_id(raw: object) -> tuple[str, str]:
    """(kind, normalised id) for an identifier found in tax data."""
    code = normalize(raw)
    if len(code) == 18 and is_valid(code):
        return IdKind.USCC, code
    if LEGACY_PATTERN.match(code):
        return IdKind.LEGACY, code
    return IdKind.INVALID, code
