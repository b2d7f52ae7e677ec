"""Masking of personal data in free text, log output and notifications (R-SEC-2).

The dialogue test runs on the STC-3 Weibo helpdesk dialogues in `../shared/data/` (real public
posts, with real phone numbers — never copied into this repository); where that folder is not
beside the checkout the test is skipped and says so.
"""

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from carrierdesk.core.logging import MaskingFormatter
from carrierdesk.core.masking import mask_field, mask_text

DIALOGUES = Path(__file__).resolve().parents[5] / "shared" / "data" / "stc3-weibo-helpdesk-cn"

#: What must not survive masking, however it is written.
MOBILE = re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
#: (A run of digits glued to letters is an order or account number, c3qk150917…: kept.)
RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678", "电话138****5678"),
        ("+86 138 1234 5678 回电", "138****5678 回电"),
        ("号码 138-1234-5678。", "号码 138****5678。"),
        ("身份证11010519491231002X。", "身份证110105********002X。"),
        ("旧证110101491231002", "旧证110101*****1002"),
        ("卡号6222021234567890123", "卡号622202*********0123"),
        ("座机020-87654321", "座机020-****4321"),
        # Kept: ticket numbers, hotlines, times, amounts, numbers inside longer ones.
        ("单号TS20261123000042", "单号TS20261123000042"),
        ("请拨打10010或10000", "请拨打10010或10000"),
        ("2026-11-23T10:00:00+08:00", "2026-11-23T10:00:00+08:00"),
        ("流量12345678901234KB", "流量12345678901234KB"),
        ("'seconds': 0.1430250000000004567", "'seconds': 0.1430250000000004567"),
        ("took 0.13812345678 s", "took 0.13812345678 s"),
        ("发错了.13812345678", "发错了.138****5678"),
        ("", ""),
    ],
)
def test_numbers_in_free_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_free_text_fields_are_masked_in_the_trail() -> None:
    assert mask_field("description", "用户13812345678来电") == "用户138****5678来电"
    assert mask_field("note", "回拨13812345678") == "回拨138****5678"
    assert mask_field("status", "13812345678") == "13812345678"  # not free text


def test_log_lines_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    formatter = MaskingFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord(
        "carrierdesk.test", logging.WARNING, __file__, 1, "caller %s id %s", None, None
    )
    record.args = ("13812345678", "11010519491231002X")
    assert formatter.format(record) == "WARNING caller 138****5678 id 110105********002X"
    try:
        raise ValueError("bad number 13812345678")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert "13812345678" not in formatter.format(record)
    assert "138****5678" in formatter.format(record)


def test_the_configured_log_formatters_mask() -> None:
    from logging.config import DictConfigurator

    from django.conf import settings

    config: dict[str, Any] = settings.LOGGING
    configurator = DictConfigurator(config)
    for name, spec in config["formatters"].items():
        formatter = configurator.configure_formatter(dict(spec))
        assert isinstance(formatter, MaskingFormatter), name
    for handler in config["handlers"].values():
        assert handler.get("formatter") in config["formatters"]


def _utterances() -> list[str]:
    texts: list[str] = []
    for name in ("dev_data_cn.json", "test_data_cn.json"):
        for dialogue in json.loads((DIALOGUES / name).read_text(encoding="utf-8")):
            for turn in dialogue["turns"]:
                texts.extend(turn["utterances"])
    return texts


@pytest.mark.skipif(
    not DIALOGUES.is_dir(), reason=f"the STC-3 dialogues are not at {DIALOGUES} (../shared/data)"
)
def test_the_weibo_helpdesk_dialogues_leave_masking_without_numbers() -> None:
    texts = _utterances()
    holding = [text for text in texts if MOBILE.search(text) or RESIDENT_ID.search(text)]
    assert len(holding) > 100  # the corpus does carry real numbers: the test means something
    for text in holding:
        masked = mask_text(text)
        assert not MOBILE.search(masked), MOBILE.sub("<mobile>", masked)
        assert not RESIDENT_ID.search(masked), RESIDENT_ID.sub("<id>", masked)
    # Text without long numbers (however spaced) comes back unchanged.
    plain = [text for text in texts if not re.search(r"\d[\d\s-]{6,}\d", text)]
    assert all(mask_text(text) == text for text in plain)


def test_notification_text_is_masked() -> None:
    from carrierdesk.notifications.templates import render

    rendered = render("test", {"text": "请回拨13812345678，证件11010519491231002X"}, "zh-hans")
    assert "13812345678" not in rendered.body + rendered.subject
    assert "11010519491231002X" not in rendered.body + rendered.subject
    assert "138****5678" in rendered.body + rendered.subject
