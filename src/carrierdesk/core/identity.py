"""Validation and normalisation of phone and identity numbers (pure functions).

Error messages never repeat the value: it is personal data.
"""

import re
from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalise_mobile(value: str) -> str:
    """Return the 11-digit national form of a Chinese mobile number, or raise ValidationError.

    Accepts spaces, dashes and a +86 / 0086 prefix.
    """
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Enter a mobile number."), code="required")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid Chinese mobile number."), code="invalid") from None
    if (
        parsed.country_code != 86
        or not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed) not in _MOBILE_TYPES
    ):
        raise ValidationError(_("Enter a valid Chinese mobile number."), code="invalid")
    national = str(parsed.national_number)
    if len(national) != 11:
        raise ValidationError(_("Enter a valid Chinese mobile number."), code="invalid")
    return national


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")


def resident_id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a resident ID number (GB 11643)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_resident_id(value: str, today: date | None = None) -> str:
    """Validate an 18-character resident ID number; return it upper-cased."""
    number = (value or "").strip().upper()
    if not _ID_PATTERN.match(number):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits and a digit or X."),
            code="invalid_format",
        )
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in the resident ID number is not a real date."),
            code="invalid_birth_date",
        ) from None
    if birth > (today or date.today()) or birth.year < 1900:  # noqa: DTZ011 - a calendar date.
        raise ValidationError(
            _("The birth date in the resident ID number is out of range."),
            code="invalid_birth_date",
        )
    if resident_id_check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("The check character of the resident ID number is wrong."), code="invalid_check"
        )
    return number


_PASSPORT_PATTERN = re.compile(r"^[A-Z0-9]{5,9}$")


def normalise_passport(value: str) -> str:
    """Passport numbers by format (ICAO 9303: up to 9 letters and digits, at least one digit)."""
    number = re.sub(r"\s", "", value or "").upper()
    if not _PASSPORT_PATTERN.match(number) or not any(ch.isdigit() for ch in number):
        raise ValidationError(
            _("A passport number has 5 to 9 letters and digits."), code="invalid_format"
        )
    return number


USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    """Check character of a unified social credit code (GB 32100-2015)."""
    total = sum(
        USCC_CHARSET.index(char) * weight
        for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    """Validate a unified social credit code 统一社会信用代码 of an enterprise."""
    code = (value or "").strip().upper()
    if len(code) != 18 or any(char not in USCC_CHARSET for char in code):
        raise ValidationError(
            _("A unified social credit code has 18 digits and capital letters."),
            code="invalid_format",
        )
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of the unified social credit code is wrong."),
            code="invalid_check",
        )
    return code


def normalise_phone(value: str) -> str:
    """Any valid Chinese phone number (mobile or fixed line with area code), national digits.

    Fixed lines keep their trunk prefix (020xxxxxxxx) as people dial them.
    """
    raw = (value or "").strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid Chinese phone number."), code="invalid") from None
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("Enter a valid Chinese phone number."), code="invalid")
    if phonenumbers.number_type(parsed) in _MOBILE_TYPES and len(str(parsed.national_number)) == 11:
        return str(parsed.national_number)
    return (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        .replace(" ", "")
        .replace("-", "")
    )
