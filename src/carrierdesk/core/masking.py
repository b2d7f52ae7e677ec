"""Masking of personal data for display, logs and audit (R-SEC-2). Pure functions."""

import re


def mask_phone(value: str) -> str:
    """138****5678; shorter numbers keep only their last two digits."""
    if not value:
        return ""
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * max(len(value) - 2, 0) + value[-2:]


def mask_id_number(value: str) -> str:
    """110101********1234 (keep the area code and the last four characters)."""
    if not value:
        return ""
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_name(value: str) -> str:
    """张* / 欧阳** : keep the surname. Two-character surnames are kept whole for 4+ chars."""
    if not value:
        return ""
    if value.isascii():
        parts = value.split()
        return " ".join(part[0] + "*" * (len(part) - 1) for part in parts)
    keep = 2 if len(value) >= 4 or value[:2] in COMPOUND_SURNAMES else 1
    return value[:keep] + "*" * (len(value) - keep)


COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯"}
)


def mask_address(value: str) -> str:
    """Cut an address after its district (…天河区****)."""
    if not value:
        return ""
    for marker in ("区", "县", "旗"):
        index = value.find(marker)
        if index != -1:
            return value[: index + 1] + "****"
    return value[: min(6, len(value))] + "****"


#: A mainland mobile number, also written +86 138 1234 5678 or 138-1234-5678.
_PHONE_IN_TEXT = re.compile(
    r"(?<![\d+])(?<!\d\.)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)"
)
#: A fixed-line number with its area code: 020-12345678, 0755 8765 4321.
_LANDLINE_IN_TEXT = re.compile(r"(?<![\d-])(0\d{2,3})[\s-](\d{3,4})[\s-]?(\d{4})(?![\d-])")
#: 15 to 19 digits standing alone: resident ID numbers (15 or 18 characters, the last maybe X)
#: and bank card numbers. Ticket numbers (TS2026…) carry letters and stay, and so do the
#: decimals of a fraction (0.1430250000000004) in a log line (a digit and a point before).
_LONG_NUMBER_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?<!\d\.)(\d{6})(\d{5,9})(\d{3}[\dXx])(?![0-9A-Za-z])"
)


def mask_text(value: str) -> str:
    """Mask mobile, fixed-line, resident ID and bank card numbers found in free text."""
    if not value:
        return ""
    value = _LONG_NUMBER_IN_TEXT.sub(
        lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), value
    )
    value = _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), value)
    return _LANDLINE_IN_TEXT.sub(lambda m: m.group(1) + "-****" + m.group(3), value)


#: How each personal-data field is shown in timelines, the audit trail and logs (R-SEC-2).
FIELD_MASKS = {
    "name": mask_name,
    "contact_name": mask_name,
    "mobile": mask_phone,
    "contact_phone": mask_phone,
    "id_number": mask_id_number,
    "address": mask_address,
    "installation_address": mask_address,
    # Mobile and fixed-line service numbers are phone numbers; mask every one to be safe.
    "service_number": mask_phone,
    # Free text keeps its words; the numbers found in it are masked in the trail.
    "title": mask_text,
    "description": mask_text,
    "resolution": mask_text,
    "note": mask_text,
    "reason": mask_text,
    "comment": mask_text,
}


def mask_field(field: str, value: object) -> object:
    """A JSON-ready value of `field` for the record: masked if personal, else as is.

    Model instances become their `record_key` if they define one (a masked key), else their
    natural key (`code`, `number` or `username`); datetimes become ISO text.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        mask = FIELD_MASKS.get(field)
        return mask(value) if mask else value
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    for key in ("record_key", "code", "number", "username"):
        natural = getattr(value, key, None)
        if isinstance(natural, str):
            return natural
    return str(value)
