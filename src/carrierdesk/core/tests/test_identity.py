"""Phone and identity numbers, and masking (R-SEC-2): pure functions, table-tested."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from carrierdesk.core import identity, masking


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-138-1234-5678", "13812345678"),
        ("19912345678", "19912345678"),
    ],
)
def test_mobile_numbers_normalise(raw: str, expected: str) -> None:
    assert identity.normalise_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "1381234567", "23812345678", "02087654321", "+1 650 253 0000", "abc"]
)
def test_bad_mobile_numbers(raw: str) -> None:
    with pytest.raises(ValidationError):
        identity.normalise_mobile(raw)


def test_fixed_line_is_a_phone_but_not_a_mobile() -> None:
    assert identity.normalise_phone("020-8765 4321") == "02087654321"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110105194912310021", False),  # check character
        ("110105194902300028", False),  # no 30 February
        ("110105999912310028", False),  # future birth date
        ("1101051949123100", False),
        ("11010519491231002Y", False),
    ],
)
def test_resident_id(number: str, valid: bool) -> None:
    if valid:
        assert identity.normalise_resident_id(number, today=date(2026, 11, 23)) == number.upper()
    else:
        with pytest.raises(ValidationError):
            identity.normalise_resident_id(number, today=date(2026, 11, 23))


def test_resident_id_check_character_iso_7064() -> None:
    assert identity.resident_id_check_character("11010519491231002") == "X"
    assert identity.resident_id_check_character("44030419900307161") in "0123456789X"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("E12345678", True),
        ("g1234567", True),
        ("12", False),
        ("ABCDEFGH", False),
        ("E1234567890", False),
    ],
)
def test_passport(number: str, valid: bool) -> None:
    if valid:
        assert identity.normalise_passport(number) == number.upper()
    else:
        with pytest.raises(ValidationError):
            identity.normalise_passport(number)


def test_uscc() -> None:
    first17 = "9144010155778899" + "1"
    full = first17 + identity.uscc_check_character(first17)
    assert identity.normalise_uscc(full) == full
    wrong = first17 + ("0" if full[-1] != "0" else "1")
    with pytest.raises(ValidationError):
        identity.normalise_uscc(wrong)


@pytest.mark.parametrize(
    ("function", "value", "masked"),
    [
        (masking.mask_phone, "13812345678", "138****5678"),
        (masking.mask_id_number, "110101199003071234", "110101********1234"),
        (masking.mask_name, "张伟", "张*"),
        (masking.mask_name, "张伟明", "张**"),
        (masking.mask_name, "欧阳娜娜", "欧阳**"),
        (masking.mask_name, "欧阳娜", "欧阳*"),
        (masking.mask_address, "广东省广州市天河区体育西路1号", "广东省广州市天河区****"),
        (
            masking.mask_text,
            "我的电话13812345678，身份证110101199003071234",
            "我的电话138****5678，身份证110101********1234",
        ),
        (masking.mask_phone, "", ""),
    ],
)
def test_masking(function: object, value: str, masked: str) -> None:
    assert function(value) == masked  # type: ignore[operator]
