"""Tests of the demo corpus (pure Python: no Django, no database)."""

import random
import re
from collections.abc import Callable

import phonenumbers
import pytest
from django.core.exceptions import ValidationError

from carrierdesk.core import identity
from carrierdesk.demo import corpus


def is_valid(normalise: Callable[[str], str], value: str) -> bool:
    """Generated numbers are checked by the project's own validators (core.identity)."""
    try:
        normalise(value)
    except ValidationError:
        return False
    return True


_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_LONG_DIGIT_RUN = re.compile(r"\d{11,}")
_DISTRICTS = [region for region in corpus.REGIONS if region.level == "district"]


def _sample(seed: int) -> list[object]:
    rng = random.Random(seed)
    district = rng.choice(_DISTRICTS)
    return [
        corpus.person_name(rng),
        corpus.enterprise_name(rng, "广州市"),
        corpus.mobile_number(rng),
        corpus.resident_id_number(rng, district.code),
        corpus.unified_social_credit_code(rng, district.code),
        corpus.address(rng, "广东省", "广州市", district.name),
        corpus.ticket_text(rng, "complaint", "billing", "", "broadband"),
        corpus.ticket_text(rng, "fault", "network_quality", "network", "mobile"),
        corpus.note_text(rng, "pend"),
    ]


def test_output_is_deterministic_for_a_seed() -> None:
    assert _sample(42) == _sample(42)
    assert _sample(42) != _sample(43)


# --- regions ----------------------------------------------------------------------------------


def test_parents_precede_children_and_levels_nest() -> None:
    seen: dict[str, str] = {}
    parent_level = {"city": "province", "district": "city"}
    for region in corpus.REGIONS:
        assert re.fullmatch(r"\d{6}", region.code)
        assert region.code not in seen
        if region.level == "province":
            assert region.parent_code is None
        else:
            assert region.parent_code in seen, f"{region.code} listed before its parent"
            assert seen[region.parent_code] == parent_level[region.level]
        seen[region.code] = region.level


def test_known_codes() -> None:
    names = {region.code: region.name for region in corpus.REGIONS}
    assert names["440000"] == "广东省"
    assert names["440106"] == "天河区"
    assert names["440305"] == "南山区"
    assert names["440606"] == "顺德区"
    assert names["440402"] == "香洲区"


def test_every_district_has_streets() -> None:
    assert set(corpus.STREETS_BY_DISTRICT) == {region.code for region in _DISTRICTS}
    assert all(len(streets) >= 3 for streets in corpus.STREETS_BY_DISTRICT.values())


def test_address_uses_the_district_streets() -> None:
    rng = random.Random(1)
    for _ in range(200):
        text = corpus.address(rng, "广东省", "广州市", "天河区")
        assert text.startswith("广东省广州市天河区")
        assert any(street in text for street in corpus.STREETS_BY_DISTRICT["440106"])
        assert re.search(r"\d+号", text)
    assert corpus.address(random.Random(2), "", "", "")  # tolerant of missing names


# --- names --------------------------------------------------------------------------------------


def test_person_names() -> None:
    rng = random.Random(7)
    names = [corpus.person_name(rng) for _ in range(5_000)]
    assert all(2 <= len(name) <= 4 for name in names)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", name) for name in names)
    wang = sum(name.startswith("王") for name in names)
    ouyang = sum(name.startswith("欧阳") for name in names)
    assert wang > 200  # about 7 % of the population
    assert ouyang < 20  # rare
    assert len(set(names)) > 2_500


def test_enterprise_names() -> None:
    rng = random.Random(8)
    for _ in range(500):
        name = corpus.enterprise_name(rng, "深圳市")
        assert "深圳" in name
        assert name.endswith("公司")
    assert not corpus.enterprise_name(random.Random(1), "").startswith("市")


# --- mobile numbers -------------------------------------------------------------------------


def test_mobile_numbers_are_valid_cn_mobiles() -> None:
    for seed in range(2_000):
        number = corpus.mobile_number(random.Random(seed))
        assert re.fullmatch(r"1\d{10}", number)
        parsed = phonenumbers.parse(number, "CN")
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.number_type(parsed) in _MOBILE_TYPES, number


# --- resident ID numbers --------------------------------------------------------------------


def test_generated_resident_ids_validate() -> None:
    for seed in range(2_000):
        rng = random.Random(seed)
        district = rng.choice(_DISTRICTS)
        number = corpus.resident_id_number(rng, district.code)
        assert len(number) == 18
        assert number.startswith(district.code)
        assert 1950 <= int(number[6:10]) <= 2005
        assert is_valid(identity.normalise_resident_id, number), number


def test_resident_id_sex_and_range() -> None:
    rng = random.Random(5)
    for _ in range(300):
        male = corpus.resident_id_number(rng, "440305", (1980, 1980), sex="male")
        female = corpus.resident_id_number(rng, "440305", sex="female")
        assert int(male[14:17]) % 2 == 1 and male[6:10] == "1980"
        assert int(female[14:17]) % 2 == 0
        assert is_valid(identity.normalise_resident_id, male) and is_valid(
            identity.normalise_resident_id, female
        )
    with pytest.raises(ValueError):
        corpus.resident_id_number(rng, "4403")


# --- unified social credit codes -----------------------------------------------------------


def test_uscc_known_example() -> None:
    # The example from GB 32100-2015 explanations.
    assert is_valid(identity.normalise_uscc, "91350100M000100Y43")
    assert corpus.organization_code_check_character("M000100Y") == "4"


def test_generated_uscc_validate_and_mutations_fail() -> None:
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for seed in range(2_000):
        rng = random.Random(seed)
        district = rng.choice(_DISTRICTS)
        code = corpus.unified_social_credit_code(rng, district.code)
        assert len(code) == 18
        assert code.startswith("91" + district.code)
        assert corpus.organization_code_check_character(code[8:16]) == code[16]
        assert is_valid(identity.normalise_uscc, code), code
        assert is_valid(identity.normalise_uscc, code.lower())
        position = rng.randrange(18)
        replacement = rng.choice([c for c in charset if c != code[position]])
        if 2 <= position < 8:
            replacement = rng.choice([c for c in "0123456789" if c != code[position]])
        mutated = code[:position] + replacement + code[position + 1 :]
        assert not is_valid(identity.normalise_uscc, mutated), (code, mutated)


def test_invalid_uscc_shapes() -> None:
    assert not is_valid(identity.normalise_uscc, "")
    assert not is_valid(identity.normalise_uscc, "91350100M000100Y4")
    assert not is_valid(identity.normalise_uscc, "91350100M000100I43")  # I is not in the charset


# --- ticket texts and notes -----------------------------------------------------------------


def _combinations() -> list[tuple[str, str, str]]:
    result = []
    for kind in corpus.KINDS:
        for subtype in corpus.SUBTYPES[kind] or ("",):
            for category in corpus.CATEGORIES:
                result.append((kind, category, subtype))
    return result


@pytest.mark.parametrize(("kind", "category", "subtype"), _combinations())
def test_ticket_text_for_every_combination(kind: str, category: str, subtype: str) -> None:
    for product in corpus.PRODUCTS:
        for seed in range(15):
            rng = random.Random(f"{kind}:{category}:{subtype}:{product}:{seed}")
            title, description = corpus.ticket_text(rng, kind, category, subtype, product)
            assert title and description
            assert len(title) <= 60
            assert 1 <= description.count("。") <= 4
            assert description.endswith("。")
            for text in (title, description):
                assert not _LONG_DIGIT_RUN.search(text), text
                assert "{" not in text and "}" not in text, text


def test_ticket_texts_are_varied() -> None:
    rng = random.Random(9)
    for kind in corpus.KINDS:
        titles = set()
        descriptions = set()
        for _ in range(200):
            subtype = rng.choice(corpus.SUBTYPES[kind] or ("",))
            category = rng.choice(corpus.CATEGORIES)
            product = rng.choice(corpus.PRODUCTS)
            title, description = corpus.ticket_text(rng, kind, category, subtype, product)
            titles.add(title)
            descriptions.add(description)
        assert len(titles) >= 50, kind
        assert len(descriptions) >= 100, kind


def test_ticket_text_never_contains_generated_personal_data() -> None:
    rng = random.Random(11)
    for _ in range(2_000):
        kind = rng.choice(corpus.KINDS)
        _, description = corpus.ticket_text(
            rng,
            kind,
            rng.choice(corpus.CATEGORIES),
            rng.choice(corpus.SUBTYPES[kind] or ("",)),
            rng.choice(corpus.PRODUCTS),
        )
        assert not re.search(r"\d{11}|\d{17}[\dXx]", description)
        assert not re.search(r"[先女]士|小姐", description)


def test_ticket_text_rejects_unknown_values() -> None:
    rng = random.Random(0)
    with pytest.raises(ValueError):
        corpus.ticket_text(rng, "praise", "billing", "", "mobile")
    with pytest.raises(ValueError):
        corpus.ticket_text(rng, "complaint", "weather", "", "mobile")
    with pytest.raises(ValueError):
        corpus.ticket_text(rng, "complaint", "billing", "", "satellite")
    with pytest.raises(ValueError):
        corpus.ticket_text(rng, "fault", "billing", "open", "mobile")


def test_blank_subtype_is_picked_for_kinds_that_need_one() -> None:
    title, description = corpus.ticket_text(random.Random(3), "service_order", "other", "", "iot")
    assert title and description


@pytest.mark.parametrize(
    "action",
    [
        "accept",
        "reject",
        "assign",
        "start",
        "pend",
        "resume",
        "resolve",
        "close",
        "reopen",
        "cancel",
    ],
)
def test_note_text(action: str) -> None:
    rng = random.Random(action)
    notes = {corpus.note_text(rng, action) for _ in range(100)}
    assert len(notes) >= 4
    for note in notes:
        assert 2 <= len(note) <= 60
        assert not _LONG_DIGIT_RUN.search(note)
        assert "{" not in note


def test_note_text_rejects_unknown_action() -> None:
    with pytest.raises(ValueError):
        corpus.note_text(random.Random(0), "teleport")
