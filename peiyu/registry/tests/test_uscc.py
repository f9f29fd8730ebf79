import csv
from pathlib import Path

import pytest

from peiyu.registry import uscc

SAMPLE = Path(__file__).with_name("uscc_real_codes_sample.csv")


def real_codes():
    with SAMPLE.open(encoding="utf-8") as fh:
        return [r["code"] for r in csv.DictReader(fh)]


@pytest.mark.parametrize("code", real_codes())
def test_every_real_sample_code_is_valid(code):
    check = uscc.validate(code)
    assert check.ok, check.message
    assert uscc.classify_taxpayer_id(code) == (uscc.IdKind.USCC, code)


def test_sample_is_not_empty():
    assert len(real_codes()) >= 10


def test_normalize_trims_fullwidth_and_case():
    assert uscc.normalize(" ９１３１０１０７５６６５８８６３２ｇ ") == "91310107566588632G"
    assert uscc.normalize("9131 0107-5665 8863 2g") == "91310107566588632G"
    assert uscc.validate("９１３１０１０７５６６５８８６３２ｇ").ok


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "为空"),
        (None, "为空"),
        ("9131010756658863", "长度应为 18 位，实际 16 位"),
        ("91310107566588632G1", "实际 19 位"),
        ("9131010756658863IG", "非法字符“I”"),
        ("91310107566588632O", "非法字符“O”"),
        ("91ABCDEF566588632G", "行政区划代码"),
        ("91310107566588632H", "第 18 位应为“G”，实际为“H”"),
    ],
)
def test_each_failure_kind_is_explained_in_chinese(raw, fragment):
    check = uscc.validate(raw)
    assert not check.ok
    assert fragment in check.message


def test_inner_organisation_code_check_is_verified():
    # same first 16 characters as a real code, organisation check character changed, outer check recomputed
    first16 = "9131010756658863"
    bad = first16 + "3"
    bad += uscc.check_character(bad)
    check = uscc.validate(bad)
    assert not check.ok and "组织机构代码" in check.message and "应为“2”" in check.message


def test_make_code_round_trip():
    code = uscc.make_code("91310107", "MA1K2L3M")
    assert len(code) == 18 and uscc.validate(code).ok


def test_pilot_code_failing_the_checksum_is_rejected_with_expected_character():
    check = uscc.validate("91350211M00013FA1N")
    assert not check.ok and "应为“3”" in check.message


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("310107123456789", uscc.IdKind.LEGACY),  # 15-character taxpayer ID
        ("31010712345678901", uscc.IdKind.LEGACY),  # 17
        ("31010719800101123X00", uscc.IdKind.LEGACY),  # 20
        ("91310107566588632G", uscc.IdKind.USCC),
        ("91310107566588632H", uscc.IdKind.INVALID),
        ("12345", uscc.IdKind.INVALID),
    ],
)
def test_taxpayer_ids_are_recognised(raw, kind):
    assert uscc.classify_taxpayer_id(raw)[0] == kind


def test_excel_number_is_normalised_without_decimal():
    assert uscc.normalize(310107123456789.0) == "310107123456789"
