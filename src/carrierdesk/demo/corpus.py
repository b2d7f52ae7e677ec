"""Fictitious but realistic Chinese demo data (pure Python: no Django, no database).

Everything that is random takes a `random.Random`, so the output is deterministic for a seed.
Names, numbers and addresses are generated: they may coincide with real ones by chance only.
Ticket and note texts never contain names, phone numbers or ID numbers.

Standards followed:

* GB/T 2260 administrative division codes (`REGIONS`);
* GB 11643 resident ID numbers, check character per ISO 7064 MOD 11-2;
* GB 32100-2015 unified social credit codes, with the organisation code per GB 11714.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Final, Literal

from carrierdesk.core.identity import (
    USCC_CHARSET,
    resident_id_check_character,
    uscc_check_character,
)

__all__ = [
    "CATEGORIES",
    "KINDS",
    "NOTE_ACTIONS",
    "PRODUCTS",
    "PRODUCT_LABELS",
    "REGIONS",
    "STREETS_BY_DISTRICT",
    "SUBTYPES",
    "RegionSeed",
    "address",
    "enterprise_name",
    "mobile_number",
    "note_text",
    "organization_code_check_character",
    "person_name",
    "resident_id_number",
    "ticket_text",
    "unified_social_credit_code",
]

RegionLevel = Literal["province", "city", "district"]

# ---------------------------------------------------------------------------------------------
# Regions (GB/T 2260)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionSeed:
    """One administrative region; `parent_code` is None for a province."""

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None


#: Guangdong and four of its cities; parents always come before their children.
REGIONS: Final[tuple[RegionSeed, ...]] = (
    RegionSeed("440000", "广东省", "province", None),
    RegionSeed("440100", "广州市", "city", "440000"),
    RegionSeed("440104", "越秀区", "district", "440100"),
    RegionSeed("440105", "海珠区", "district", "440100"),
    RegionSeed("440106", "天河区", "district", "440100"),
    RegionSeed("440111", "白云区", "district", "440100"),
    RegionSeed("440113", "番禺区", "district", "440100"),
    RegionSeed("440300", "深圳市", "city", "440000"),
    RegionSeed("440303", "罗湖区", "district", "440300"),
    RegionSeed("440304", "福田区", "district", "440300"),
    RegionSeed("440305", "南山区", "district", "440300"),
    RegionSeed("440306", "宝安区", "district", "440300"),
    RegionSeed("440307", "龙岗区", "district", "440300"),
    RegionSeed("440400", "珠海市", "city", "440000"),
    RegionSeed("440402", "香洲区", "district", "440400"),
    RegionSeed("440600", "佛山市", "city", "440000"),
    RegionSeed("440604", "禅城区", "district", "440600"),
    RegionSeed("440605", "南海区", "district", "440600"),
    RegionSeed("440606", "顺德区", "district", "440600"),
)

#: Streets and roads per district code, for addresses.
STREETS_BY_DISTRICT: Final[Mapping[str, tuple[str, ...]]] = {
    "440104": ("北京路", "中山五路", "东风中路", "环市东路", "解放北路", "农林下路"),
    "440105": ("江南大道中", "新港西路", "宝岗大道", "工业大道中", "昌岗中路"),
    "440106": ("天河路", "体育西路", "天河北路", "林和西路", "黄埔大道西", "花城大道"),
    "440111": ("白云大道北", "机场路", "广州大道北", "同和路", "黄石东路"),
    "440113": ("清河东路", "桥南路", "番禺大道北", "兴南大道", "迎宾路"),
    "440303": ("人民南路", "东门中路", "深南东路", "宝安南路", "建设路"),
    "440304": ("深南中路", "福华路", "华强北路", "彩田路", "益田路"),
    "440305": ("南海大道", "科苑路", "后海大道", "南山大道", "桃园路"),
    "440306": ("宝安大道", "新安六路", "创业一路", "建安一路", "西乡大道"),
    "440307": ("龙岗大道", "龙翔大道", "深惠路", "布吉路", "黄阁路"),
    "440402": ("情侣路", "凤凰路", "九洲大道", "人民东路", "迎宾南路"),
    "440604": ("祖庙路", "季华路", "汾江中路", "岭南大道", "同济路"),
    "440605": ("海八路", "南桂路", "灯湖东路", "桂澜路", "佛平路"),
    "440606": ("德民路", "南国东路", "德胜东路", "碧桂路", "新宁路"),
}

_GENERIC_STREETS: Final = ("人民路", "中山路", "解放路", "建设路", "新华路", "文明路")
_DISTRICT_CODE_BY_NAME: Final[Mapping[str, str]] = {
    region.name: region.code for region in REGIONS if region.level == "district"
}

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _weighted(rng: random.Random, table: Sequence[tuple[str, float]]) -> str:
    values = [value for value, _ in table]
    weights = [weight for _, weight in table]
    return rng.choices(values, weights=weights, k=1)[0]


def _today() -> date:
    """Today's date in China (UTC+8, no daylight saving)."""
    return datetime.now(tz=timezone(timedelta(hours=8))).date()


# ---------------------------------------------------------------------------------------------
# People and enterprises
# ---------------------------------------------------------------------------------------------

#: Surnames with rough relative frequencies (per cent of the population, approximate).
# fmt: off
_SURNAMES: Final[tuple[tuple[str, float], ...]] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 5.0), ("杨", 3.1), ("黄", 2.6),
    ("赵", 2.3), ("吴", 2.0), ("周", 1.9), ("徐", 1.5), ("孙", 1.4), ("马", 1.3), ("朱", 1.2),
    ("胡", 1.1), ("郭", 1.1), ("何", 1.1), ("林", 1.1), ("罗", 0.9), ("高", 0.9), ("郑", 0.9),
    ("梁", 0.9), ("谢", 0.8), ("宋", 0.7), ("唐", 0.7), ("许", 0.7), ("韩", 0.6), ("冯", 0.6),
    ("邓", 0.6), ("曹", 0.6), ("彭", 0.6), ("曾", 0.6), ("肖", 0.5), ("田", 0.5), ("董", 0.5),
    ("袁", 0.5), ("潘", 0.5), ("于", 0.5), ("蒋", 0.5), ("蔡", 0.5), ("余", 0.5), ("杜", 0.4),
    ("叶", 0.4), ("程", 0.4), ("苏", 0.4), ("魏", 0.4), ("吕", 0.4), ("丁", 0.4), ("任", 0.4),
    ("沈", 0.4), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
    ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.3), ("廖", 0.3), ("贾", 0.3),
    ("夏", 0.2), ("韦", 0.2), ("付", 0.2), ("方", 0.2), ("白", 0.2), ("邹", 0.2), ("孟", 0.2),
    ("熊", 0.2), ("秦", 0.2), ("邱", 0.2), ("江", 0.2), ("尹", 0.2), ("薛", 0.2), ("闫", 0.2),
    ("段", 0.2), ("雷", 0.2), ("侯", 0.2), ("龙", 0.2), ("史", 0.2), ("陶", 0.2), ("黎", 0.2),
    ("贺", 0.2), ("顾", 0.2), ("毛", 0.2), ("郝", 0.2), ("龚", 0.2), ("邵", 0.2), ("万", 0.2),
    ("钱", 0.2), ("严", 0.1), ("覃", 0.1), ("武", 0.1), ("戴", 0.1), ("莫", 0.1), ("孔", 0.1),
    ("欧阳", 0.04), ("司马", 0.01), ("上官", 0.01),
)
# fmt: on

_GIVEN_MALE: Final = tuple(
    "伟强磊军勇杰涛明超刚辉建国志海鹏斌宇浩凯健俊帆旭龙林峰波鑫晨轩睿博泽阳豪文华平亮成坤航铭哲"
)
_GIVEN_FEMALE: Final = tuple(
    "芳娜敏静丽艳娟秀霞英玉兰红燕欣怡婷雪琳晓梓涵萱思雨佳嘉诗可颖慧倩悦彤洁玲琪蕾薇晶月宁桐妍依"
)


def person_name(rng: random.Random) -> str:
    """A plausible Chinese full name: a frequency-weighted surname and a 1–2 character name."""
    surname = _weighted(rng, _SURNAMES)
    pool = _GIVEN_MALE if rng.random() < 0.5 else _GIVEN_FEMALE
    if rng.random() < 0.22:
        return surname + rng.choice(pool)
    return surname + rng.choice(pool) + rng.choice(pool)


_BRAND_FIRST: Final = tuple("恒联华盛鑫博智天鼎嘉宏金永广东新中信安泰瑞利兴锦益明汇弘立卓")
_BRAND_SECOND: Final = tuple("达创信世源远联越盛和泰通辉祥诚丰业成发隆邦海润讯捷晟途宇旺航")
_INDUSTRIES: Final = (
    "物流",
    "科技",
    "贸易",
    "电子",
    "餐饮管理",
    "建筑工程",
    "信息技术",
    "实业",
    "物业管理",
    "医疗器械",
    "教育咨询",
    "文化传媒",
    "机械设备",
    "食品",
    "服装",
    "家具",
    "汽车服务",
    "网络科技",
    "供应链管理",
    "环保科技",
    "精密制造",
    "商贸",
)
_COMPANY_FORMS: Final[tuple[tuple[str, float], ...]] = (
    ("有限公司", 80.0),
    ("有限责任公司", 8.0),
    ("股份有限公司", 10.0),
    ("集团有限公司", 2.0),
)


#: Pairs that spell well-known real brands; never generated.
_FAMOUS_BRANDS: Final = frozenset(
    {"中信", "中通", "中海", "中航", "中泰", "中联", "华润", "华泰", "华联", "华发", "华通", "华航"}
    | {"永辉", "广发", "兴业", "信达", "安信", "东航", "天通", "金发", "恒通", "华信", "东海"}
)


def _brand(rng: random.Random) -> str:
    while True:
        brand = rng.choice(_BRAND_FIRST) + rng.choice(_BRAND_SECOND)
        if brand[0] != brand[1] and brand not in _FAMOUS_BRANDS:
            return brand


def enterprise_name(rng: random.Random, city_name: str) -> str:
    """A company name such as 广州市恒达物流有限公司; `city_name` is used verbatim as prefix.

    With an empty `city_name` the name has no place prefix.
    """
    brand, industry, form = _brand(rng), rng.choice(_INDUSTRIES), _weighted(rng, _COMPANY_FORMS)
    if city_name and rng.random() < 0.1:
        short = city_name.removesuffix("市")
        return f"{brand}{industry}（{short}）{form}"
    return f"{city_name}{brand}{industry}{form}"


# ---------------------------------------------------------------------------------------------
# Mobile numbers
# ---------------------------------------------------------------------------------------------

#: Three-digit mobile prefixes by operator (all accepted by libphonenumber as CN mobiles).
_MOBILE_PREFIXES: Final[Mapping[str, tuple[int, ...]]] = {
    "china_mobile": (
        *range(134, 140),
        147,
        150,
        151,
        152,
        157,
        158,
        159,
        178,
        182,
        183,
        184,
        187,
        188,
        198,
    ),
    "china_unicom": (130, 131, 132, 155, 156, 166, 175, 176, 185, 186),
    "china_telecom": (133, 153, 173, 177, 180, 181, 189, 191, 199),
}
_OPERATOR_SHARE: Final[tuple[tuple[str, float], ...]] = (
    ("china_mobile", 56.0),
    ("china_unicom", 22.0),
    ("china_telecom", 22.0),
)


def mobile_number(rng: random.Random) -> str:
    """A random 11-digit Chinese mobile number (national form, no +86)."""
    prefix = rng.choice(_MOBILE_PREFIXES[_weighted(rng, _OPERATOR_SHARE)])
    # 1349 is the satellite-phone block: keep to ordinary mobile numbers.
    fourth = rng.randrange(9) if prefix == 134 else rng.randrange(10)
    return f"{prefix}{fourth}{rng.randrange(10_000_000):07d}"


# ---------------------------------------------------------------------------------------------
# Resident ID numbers (GB 11643)
# ---------------------------------------------------------------------------------------------


def resident_id_number(
    rng: random.Random,
    district_code: str,
    birth_year_range: tuple[int, int] = (1950, 2005),
    *,
    sex: Literal["male", "female"] | None = None,
) -> str:
    """A resident ID number for someone registered in `district_code` (6 digits).

    The birth date is a real date within `birth_year_range` (inclusive) and never in the
    future; the sequence number is odd for men and even for women (random if `sex` is None).
    """
    if len(district_code) != 6 or not district_code.isdigit():
        raise ValueError("district_code must have 6 digits")
    first_year, last_year = birth_year_range
    today = _today()
    last_year = min(last_year, today.year)
    if first_year > last_year or first_year < 1900:
        raise ValueError("birth_year_range must lie between 1900 and this year")
    while True:
        year = rng.randint(first_year, last_year)
        month = rng.randint(1, 12)
        day = rng.randint(1, calendar.monthrange(year, month)[1])
        birth = date(year, month, day)
        if birth <= today:
            break
    sequence = rng.randrange(1, 1000)
    if sex is not None and (sequence % 2 == 1) != (sex == "male"):
        sequence = sequence + 1 if sequence < 999 else sequence - 1
    first17 = f"{district_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_character(first17)


# ---------------------------------------------------------------------------------------------
# Unified social credit codes (GB 32100-2015, organisation code per GB 11714)
# ---------------------------------------------------------------------------------------------

_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARSET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organization_code_check_character(first8: str) -> str:
    """GB 11714 check character ('0'–'9' or 'X') of an organisation code's 8-character body."""
    if len(first8) != 8 or any(char not in _ORG_CHARSET for char in first8):
        raise ValueError("an organisation code body has 8 digits or capital letters")
    total = sum(
        _ORG_CHARSET.index(char) * weight for char, weight in zip(first8, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def unified_social_credit_code(rng: random.Random, district_code: str) -> str:
    """A credit code of a company registered by market regulation: 9 + 1 + division code +
    organisation code (with its GB 11714 check) + check character."""
    if len(district_code) != 6 or not district_code.isdigit():
        raise ValueError("district_code must have 6 digits")
    if rng.random() < 0.75:
        # Codes assigned since 2015 start with MA; the USCC charset keeps I, O, S, V, Z out.
        body = "MA" + "".join(rng.choice(USCC_CHARSET) for _ in range(6))
    else:
        body = f"{rng.randrange(10**8):08d}"
    first17 = f"91{district_code}{body}{organization_code_check_character(body)}"
    return first17 + uscc_check_character(first17)


# ---------------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------------

_ESTATE_SUFFIXES: Final = ("花园", "大厦", "广场", "苑", "新村", "雅居", "中心")


def address(rng: random.Random, province: str, city: str, district: str) -> str:
    """A street address such as 广东省广州市天河区体育西路123号4栋1502房.

    Streets come from `STREETS_BY_DISTRICT` when `district` is a name in `REGIONS`.
    """
    code = _DISTRICT_CODE_BY_NAME.get(district)
    streets = STREETS_BY_DISTRICT.get(code, _GENERIC_STREETS) if code else _GENERIC_STREETS
    street = rng.choice(streets)
    number = rng.randint(1, 99) if rng.random() < 0.5 else rng.randint(100, 999)
    place = f"{province}{city}{district}{street}{number}号"
    shape = rng.random()
    floor = rng.randint(1, 32)
    room = f"{floor}{rng.randint(1, 8):02d}"
    if shape < 0.55:
        return f"{place}{rng.randint(1, 12)}栋{room}房"
    if shape < 0.8:
        return f"{place}{_brand(rng)}{rng.choice(_ESTATE_SUFFIXES)}{rng.choice('ABCD')}座{room}室"
    if shape < 0.9:
        return f"{place}{rng.randint(1, 6)}楼"
    return place


# ---------------------------------------------------------------------------------------------
# Ticket texts
# ---------------------------------------------------------------------------------------------

KINDS: Final = ("inquiry", "service_order", "fault", "complaint", "appeal", "suggestion")
CATEGORIES: Final = (
    "service_quality",
    "network_quality",
    "billing",
    "business_handling",
    "marketing",
    "privacy_security",
    "other",
)
PRODUCTS: Final = (
    "mobile",
    "broadband",
    "fixed_voice",
    "leased_line",
    "iot",
    "cloud",
    "value_added",
)
#: Subtypes per kind; kinds with none ignore the `subtype` argument of `ticket_text`.
SUBTYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "inquiry": (),
    "service_order": ("open", "change", "terminate", "relocate"),
    "fault": ("system", "network", "business", "user_side"),
    "complaint": (),
    "appeal": (),
    "suggestion": (),
}
PRODUCT_LABELS: Final[Mapping[str, str]] = {
    "mobile": "手机",
    "broadband": "宽带",
    "fixed_voice": "固话",
    "leased_line": "专线",
    "iot": "物联网卡",
    "cloud": "云主机",
    "value_added": "增值业务",
}

_PACKAGES: Final[Mapping[str, tuple[str, ...]]] = {
    "mobile": (
        "5G畅享套餐",
        "全家享融合套餐",
        "59元畅聊套餐",
        "199元5G尊享套餐",
        "30GB定向流量包",
        "畅越冰激凌套餐",
    ),
    "broadband": ("300M单宽带", "千兆融合宽带", "500M宽带包年", "全屋WiFi组网", "融合套餐"),
    "fixed_voice": ("固话月租套餐", "固话亲情号", "商务固话套餐", "固话来电显示"),
    "leased_line": ("100M互联网专线", "数据专线", "SD-WAN组网", "200M精品专线"),
    "iot": ("物联网流量池", "物联网定向流量包", "NB-IoT连接包", "车联网流量套餐"),
    "cloud": ("4核8G云主机", "云存储包年", "云桌面套餐", "对象存储资源包"),
    "value_added": ("视频会员月包", "彩铃业务", "云盘会员", "来电提醒", "流量加油包"),
}
_SPEEDS: Final[Mapping[str, tuple[int, ...]]] = {
    "leased_line": (20, 50, 100, 200, 500),
}
_DEFAULT_SPEEDS: Final = (100, 200, 300, 500, 1000)
_AMOUNTS: Final = (5, 10, 15, 18, 20, 29, 30, 38, 50, 58, 68, 88, 99, 120, 128, 199, 236, 300)
_RELATIVE_DAYS: Final = ("昨天", "前天", "上周五", "本月初", "上周末", "三天前", "今天上午")
_PLACES: Final = (
    "家中卧室",
    "小区地下车库",
    "公司办公室",
    "电梯里",
    "地铁站附近",
    "店铺内",
    "家里客厅",
    "老家",
)
_GIFTS: Final = ("话费", "路由器", "视频会员", "流量包", "机顶盒", "智能音箱")
_STORES: Final = ("营业厅", "网上营业厅", "手机营业厅APP", "客服热线", "社区代理点")
_LATE: Final = ("一个多小时", "两个多小时", "四十多分钟", "大半天")
_WAITS: Final = ("三天", "一周", "十多天", "两周")
_DURATIONS: Final = ("两个多小时", "大半天", "一整天", "三个多小时", "近一周")
_COUNTS: Final = ("两", "三", "多", "好几")
_DEADLINES: Final = ("三个工作日内", "今天下班前", "四十八小时内", "本周内")
_MONTHS: Final = ("上个月", "第一季度", "去年全年", "近半年")
_CONTEXTS: Final = (
    "近期准备搬家",
    "刚收到营销短信",
    "准备出国一段时间",
    "家里人推荐",
    "准备更换新手机",
    "公司准备扩容",
)
_DEMANDS: Final = (
    "退还多收费用{amount}",
    "尽快修复网络问题",
    "取消未经同意开通的业务",
    "企业给予书面答复",
    "给予合理赔偿",
    "追究相关人员责任",
)
_APPEAL_SOURCES: Final[tuple[tuple[str, str], ...]] = (
    ("工信部转办", "工信部电信用户申诉受理中心"),
    ("省通管局转办", "广东省通信管理局"),
    ("12345转办", "12345政务服务便民热线"),
)

Text = tuple[str, str]  # (short form for titles, long form for descriptions)

_ISSUES: Final[Mapping[str, tuple[Text, ...]]] = {
    "service_quality": (
        ("装维人员上门迟到", "约好{date}上午上门，装维人员迟到了{late}，也没有提前打电话说明"),
        ("营业厅服务态度差", "在营业厅办理{p}业务时，工作人员态度冷淡，解释很不耐烦"),
        ("热线长时间无人接听", "拨打客服热线排队二十多分钟仍无人接听"),
        ("问题多次反映未解决", "{p}问题已反映{count}次，每次都说有人联系，但一直没有结果"),
        ("承诺回电未兑现", "客服承诺二十四小时内回电，至今没有收到任何回复"),
        ("装维施工未清理现场", "装维师傅施工后没有清理现场，墙面也被弄脏了"),
    ),
    "billing": (
        ("话费异常增加", "本月{p}账单比平时多出{amount}，用户表示没有额外使用"),
        ("被扣未订购业务费", "账单中出现未订购的增值业务费用{amount}，用户称从未办理"),
        ("流量费用存疑", "账单显示套餐外流量费{amount}，用户认为与实际使用量不符"),
        ("缴费后仍停机", "用户{date}已缴费{amount}，但{p}仍处于停机状态"),
        ("优惠未到账", "办理{pkg}时承诺的每月减免{amount}一直没有到账"),
        ("销户后仍扣费", "{p}已于{date}办理销户，之后仍被扣取月租{amount}"),
    ),
    "business_handling": (
        ("业务办理后未生效", "在{store}办理{pkg}已超过两天，业务仍未生效"),
        ("销户手续繁琐", "办理{p}销户时被要求多次往返营业厅，手续繁琐"),
        ("携号转网受阻", "申请携号转网时被告知不满足条件，但工作人员未说明具体原因"),
        ("套餐变更受限", "想把套餐改为{pkg}，被告知只能到营业厅办理且次月才生效"),
        ("移机等待时间长", "{p}移机申请已经提交{wait}，一直没有安排上门"),
        ("办理进度不透明", "通过{store}办理业务后查不到进度，多次询问也没有明确答复"),
    ),
    "marketing": (
        ("营销电话频繁打扰", "近一个月频繁接到推销{pkg}的电话，已明确拒绝仍继续来电"),
        ("承诺赠品未兑现", "办理{pkg}时营业员承诺赠送{gift}，至今没有兑现"),
        ("被诱导办理业务", "用户称在不知情的情况下被诱导办理了{pkg}"),
        ("宣传与实际不符", "宣传资料写明{pkg}每月只要{amount}，实际扣费更高"),
        ("合约条款未告知", "办理{pkg}时没有被告知合约期和违约金，现在想取消却要付违约金"),
    ),
    "privacy_security": (
        ("怀疑个人信息泄露", "近期收到大量营销短信和推销电话，怀疑个人信息被泄露"),
        ("未经同意办理业务", "用户称未经本人同意，名下{p}被开通了{pkg}"),
        ("名下出现不明号码", "查询发现名下多出一个不明号码，本人从未办理过"),
        ("证件复印用途不明", "在营业厅办理业务时证件被复印，工作人员未说明用途"),
        ("详单被他人查询", "用户发现自己的通话详单曾被他人查询，担心信息安全"),
    ),
    "other": (
        ("积分兑换未到账", "积分兑换的{gift}一直没有到账"),
        ("APP无法登录", "手机营业厅APP一直提示登录异常，无法查询账单"),
        ("发票无法开具", "需要开具{month}的{p}发票，线上渠道一直提示失败"),
        ("营业厅营业时间短", "附近营业厅周末营业时间太短，上班族很难过去办理"),
    ),
}

#: Network-quality issues depend on the product.
_NETWORK_ISSUES: Final[Mapping[str, tuple[Text, ...]]] = {
    "mobile": (
        ("室内信号差", "在{place}手机信号只有一格，通话断断续续"),
        ("5G信号不稳定", "近期5G信号不稳定，经常自动切回4G，上网很慢"),
        ("通话频繁掉话", "最近一周通话经常掉线，对方反映听不清"),
        ("手机上网慢", "从{date}开始手机上网很慢，打开网页要等很久"),
    ),
    "broadband": (
        ("宽带网速慢", "办理的是{speed}宽带，晚上测速只有{measured}"),
        ("宽带频繁掉线", "宽带每天晚高峰都会掉线好几次，重启光猫后能暂时恢复"),
        ("宽带无法上网", "{date}起宽带无法上网，光猫LOS灯一直红灯闪烁"),
    ),
    "fixed_voice": (
        ("固话通话杂音大", "固话通话时杂音很大，有时还会串线"),
        ("固话无法拨出", "固话能接听但无法拨出，拨号后提示音异常"),
    ),
    "leased_line": (
        ("专线丢包严重", "公司{speed}互联网专线近期丢包严重，业务系统访问卡顿"),
        ("专线中断", "专线于{date}中断了{duration}，影响公司正常办公"),
    ),
    "iot": (
        ("物联网卡频繁离线", "一批物联网卡频繁离线，设备数据无法按时上报"),
        ("物联网卡无法注册网络", "部分物联网卡插入设备后无法注册网络"),
    ),
    "cloud": (
        ("云主机网络延迟高", "云主机公网访问延迟高，偶尔出现无法连接的情况"),
        ("云主机带宽不达标", "云主机购买的{speed}带宽实际跑不满，下载速度明显偏低"),
    ),
    "value_added": (
        ("会员视频播放卡顿", "开通的视频会员播放时频繁卡顿、加载缓慢"),
        ("彩铃不生效", "设置的彩铃一直没有生效，来电方听到的还是默认铃音"),
    ),
}

_QUESTIONS: Final[Mapping[str, tuple[Text, ...]]] = {
    "service_quality": (
        ("装维上门时间", "装维人员一般多久能上门，能否预约周末时段"),
        ("营业厅营业时间", "附近营业厅的营业时间以及是否需要提前预约"),
        ("服务意见反映渠道", "对服务不满意时可以通过哪些渠道反映"),
        ("工单处理进度", "此前反映的{p}问题目前处理到哪一步了"),
    ),
    "network_quality": (
        ("{p}网络覆盖", "所在区域{p}网络覆盖情况如何，近期是否有优化计划"),
        ("{p}速率升级", "{p}当前速率能否升级到{speed}，需要满足什么条件"),
        ("网络维护安排", "所在区域近期是否有网络割接或维护，是否会影响{p}使用"),
        ("信号测试申请", "{place}信号较弱，能否申请上门测试"),
    ),
    "billing": (
        ("账单明细", "本月账单中{amount}的费用具体是哪些项目"),
        ("套餐扣费规则", "{pkg}的月租是按整月还是按天计费"),
        ("发票开具方式", "{p}发票如何开具，能否开具增值税专用发票"),
        ("余额退还", "销户后账户余额{amount}如何退还"),
        ("自动缴费设置", "如何设置银行卡自动缴费"),
    ),
    "business_handling": (
        ("{pkg}办理条件", "{pkg}的办理条件、资费和合约期"),
        ("携号转网条件", "携号转网需要满足哪些条件，要准备什么材料"),
        ("过户手续", "{p}过户是否需要双方到场，需要带哪些材料"),
        ("停机保号", "出国期间能否办理停机保号，每月费用多少"),
        ("套餐变更生效时间", "变更为{pkg}后是当月生效还是次月生效"),
    ),
    "marketing": (
        ("优惠活动", "近期{pkg}的优惠活动是否仍然有效"),
        ("老用户优惠", "老用户能否参加赠送{gift}的活动"),
        ("合约到期资费", "合约期满后{pkg}的资费是否会变化"),
        ("退订营销短信", "如何退订营销推广短信"),
    ),
    "privacy_security": (
        ("名下号码查询", "如何查询本人名下登记了几个号码"),
        ("详单查询手续", "查询通话详单需要什么手续，他人能否代查"),
        ("可疑来电辨别", "收到自称客服的可疑来电，如何辨别真伪"),
        ("实名信息更新", "实名登记的证件信息到期后如何更新"),
    ),
    "other": (
        ("积分兑换规则", "积分兑换规则以及积分有效期"),
        ("国际漫游开通", "出境前如何开通国际漫游，资费标准是多少"),
        ("APP使用方法", "手机营业厅APP如何查询剩余流量和话费"),
        ("营业厅位置", "离所在小区最近的营业厅在哪里"),
    ),
}

_SUGGESTIONS: Final[Mapping[str, tuple[Text, ...]]] = {
    "service_quality": (
        ("增加周末装维时段", "装维人员增加周末和晚间上门时段，方便上班族"),
        ("热线提供回拨功能", "客服热线在排队较长时提供回拨功能"),
        ("上门前电话确认", "装维人员上门前提前半小时电话确认"),
    ),
    "network_quality": (
        ("加强{p}信号覆盖", "在{place}附近增设基站或室分设备，改善{p}信号"),
        ("提前公告网络维护", "网络维护前通过短信提前告知受影响的用户"),
        ("晚高峰保障网速", "晚高峰时段加强{p}带宽保障"),
    ),
    "billing": (
        ("账单展示更清晰", "账单中把套餐外费用单独列出并注明原因"),
        ("增加费用超额提醒", "流量或话费超出{amount}时发送短信提醒"),
    ),
    "business_handling": (
        ("更多业务线上办理", "{p}销户、过户等业务支持线上办理，减少跑腿"),
        ("简化携号转网流程", "简化携号转网流程，在APP中直接显示办理条件"),
    ),
    "marketing": (
        ("减少营销电话", "减少营销电话频次，并提供一键拒绝营销的方式"),
        ("老用户同享优惠", "老用户也能享受新用户的{pkg}优惠"),
    ),
    "privacy_security": (
        ("说明证件复印用途", "营业厅办理业务时说明证件复印件的用途和保存期限"),
        ("详单查询二次验证", "详单查询增加短信验证码二次验证"),
    ),
    "other": (
        ("优化APP界面", "手机营业厅APP简化菜单，常用功能放在首页"),
        ("延长营业时间", "营业厅周末延长营业时间"),
    ),
}

#: (title, opening sentence) per kind; {subject}/{detail} are the kind's topic phrases.
_KIND_TEMPLATES: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "inquiry": (
        ("咨询{subject}", "用户来电咨询{detail}。"),
        ("{p}用户咨询{subject}", "{p}用户询问{detail}。"),
        ("关于{subject}的咨询", "客户想了解{detail}。"),
        ("咨询：{subject}", "用户通过在线客服咨询{detail}。"),
        ("{subject}相关问题咨询", "客户来电表示想了解{detail}，希望客服给予解答。"),
        ("用户询问{subject}", "用户称{context}，想了解{detail}。"),
        ("{subject}咨询", "用户反映在APP上没有找到相关说明，来电咨询{detail}。"),
        ("{p}{subject}咨询", "客户致电询问{detail}。"),
    ),
    "complaint": (
        ("投诉{subject}", "用户投诉{detail}。"),
        ("{subject}投诉", "用户来电反映{detail}，对此非常不满。"),
        ("用户投诉：{subject}", "客户表示{detail}。"),
        ("{subject}，要求尽快处理", "用户来电投诉：{detail}。"),
        ("对{subject}不满", "用户反映{detail}，认为严重影响使用体验。"),
        ("{p}用户投诉{subject}", "{p}用户来电，称{detail}。"),
        ("重复投诉：{subject}", "用户再次来电投诉，{detail}。"),
        ("{subject}，用户情绪激动", "用户情绪激动，反映{detail}。"),
    ),
    "appeal": (
        ("{source}：{subject}", "{source_full}转来申诉，用户反映{detail}。"),
        ("{p}用户申诉：{subject}", "用户通过{source_full}申诉，称{detail}。"),
        ("申诉转办：{subject}", "收到{source_full}转办工单，用户反映{detail}。"),
        ("用户申诉{subject}", "用户向{source_full}申诉，反映{detail}。"),
        ("{source}（{p}）：{subject}", "{source_full}转办：{detail}。"),
        ("越级申诉：{subject}", "用户越级向{source_full}反映，{detail}。"),
        ("{subject}（{source}）", "{source_full}转来用户诉求，用户称{detail}。"),
        ("关于{subject}的申诉", "经{source_full}转办，用户申诉{detail}。"),
    ),
    "suggestion": (
        ("建议{subject}", "用户建议{detail}。"),
        ("关于{subject}的建议", "客户来电提出建议：{detail}。"),
        ("{p}用户建议{subject}", "{p}用户希望{detail}。"),
        ("用户建议：{subject}", "用户在回访时表示，希望{detail}。"),
        ("{subject}（用户建议）", "客户通过在线客服留言，建议{detail}。"),
        ("服务改进建议：{subject}", "用户提出改进意见，建议{detail}。"),
        ("希望{subject}", "客户来电表示，希望{detail}。"),
        ("客户提出{subject}", "客户反馈建议{detail}，认为这样更方便。"),
    ),
}

_KIND_EXTRAS: Final[Mapping[str, tuple[str, ...]]] = {
    "inquiry": (
        "坐席已初步解答，用户还需进一步确认。",
        "用户希望有专人回电详细说明。",
        "用户希望以短信方式收到相关说明。",
        "坐席已当场解答，用户表示清楚。",
    ),
    "complaint": (
        "用户表示此前已反映{count}次，均未解决。",
        "用户要求{deadline}给予答复。",
        "用户要求退还{amount}并给予合理补偿。",
        "用户表示如不能妥善处理，将向工信部申诉。",
        "用户要求主管回电说明情况。",
        "坐席已致歉并安抚用户情绪。",
    ),
    "appeal": (
        "用户称此前已向企业投诉{count}次未获解决。",
        "转办要求{deadline}反馈处理结果。",
        "用户诉求：{demand}。",
        "请按申诉处理规范尽快联系用户核实。",
        "用户对此前的处理结果不认可。",
    ),
    "suggestion": (
        "用户表示整体服务还算满意，只是这方面体验不好。",
        "用户希望建议能转达给相关部门。",
        "用户表示无需回电。",
        "用户称身边不少朋友也有同样感受。",
    ),
}

#: Service orders: (titles, openings) per subtype; {open}/{stop}/{move} depend on the product.
_ORDER_TEMPLATES: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "open": (
        ("{open}申请", "申请{open}", "{open}（{pkg}）", "预约{open}"),
        (
            "用户申请{open}，选择{pkg}。",
            "客户来电要求{open}，办理{pkg}。",
            "用户通过{store}预约{open}，选定{pkg}，希望{due}完成。",
        ),
    ),
    "change": (
        ("{p}套餐变更为{pkg}", "申请变更{p}套餐", "{p}业务变更", "变更{p}资费"),
        (
            "用户要求将{p}当前套餐变更为{pkg}。",
            "客户申请把{p}资费调整为{pkg}，次月生效。",
            "用户来电表示现有套餐不合适，申请变更为{pkg}。",
        ),
    ),
    "terminate": (
        ("{stop}申请", "申请{stop}", "用户要求{stop}", "{stop}（{reason}）"),
        (
            "用户因{reason}，申请{stop}。",
            "客户来电表示{reason}，要求办理{stop}。",
            "用户{reason}，希望尽快办理{stop}并结清费用。",
        ),
    ),
    "relocate": (
        ("{move}申请", "申请{move}", "{move}至{district}", "预约{move}"),
        (
            "用户因{move_reason}，申请将{target}迁至{district}。",
            "客户{move_reason}，要求办理{move}。",
            "用户申请{move}，新地址位于{district}，希望{due}完成。",
        ),
    ),
}
_OPEN_PHRASES: Final[Mapping[str, str]] = {
    "mobile": "新办手机号码",
    "broadband": "新装宽带",
    "fixed_voice": "新装固话",
    "leased_line": "新开通专线",
    "iot": "批量开通物联网卡",
    "cloud": "开通云主机",
    "value_added": "开通增值业务",
}
_STOP_PHRASES: Final[Mapping[str, str]] = {
    "mobile": "手机号码销号",
    "broadband": "宽带拆机",
    "fixed_voice": "固话拆机",
    "leased_line": "专线拆除",
    "iot": "物联网卡停用",
    "cloud": "云主机退订",
    "value_added": "增值业务退订",
}
_MOVE_PHRASES: Final[Mapping[str, str]] = {
    "mobile": "手机账户地址变更",
    "broadband": "宽带移机",
    "fixed_voice": "固话移机",
    "leased_line": "专线迁址",
    "iot": "物联网卡账户地址变更",
    "cloud": "云主机迁移",
    "value_added": "增值业务账户地址变更",
}
_MOVE_TARGETS: Final[Mapping[str, str]] = {
    "mobile": "账户地址",
    "broadband": "宽带装机地址",
    "fixed_voice": "固话装机地址",
    "leased_line": "专线接入点",
    "iot": "账户地址",
    "cloud": "云主机所在资源池",
    "value_added": "账户地址",
}
_DUES: Final = ("本周内", "下周一前", "月底前", "周末前", "三天内")
_TERMINATE_REASONS: Final = (
    "搬离本地",
    "长期不再使用",
    "公司业务调整",
    "已改用其他运营商",
    "设备已经停用",
    "家里已有其他宽带",
)
_MOVE_REASONS: Final = ("近期搬家", "公司搬迁", "店铺换了位置", "工作调动")
_ORDER_EXTRAS: Final[Mapping[str, tuple[str, ...]]] = {
    "service_quality": ("用户希望装维人员按约定时间上门。", "用户要求办理过程中有专人跟进。"),
    "network_quality": ("用户希望办理前确认新地址的网络覆盖情况。", "用户关注办理后的实际速率。"),
    "billing": ("用户要求确认办理后的首月费用。", "用户要求说明是否产生违约金。"),
    "business_handling": ("已告知用户所需材料。", "用户希望一次办结，不再跑营业厅。"),
    "marketing": ("用户表示是看到{pkg}优惠活动后决定办理的。", "用户要求按宣传承诺赠送{gift}。"),
    "privacy_security": (
        "用户要求办理时核验本人身份，不接受代办。",
        "用户要求办理后不再接收营销短信。",
    ),
    "other": ("用户希望办理进度通过短信告知。", "用户希望尽快办结。"),
}

#: Faults: symptoms per product, diagnosis per subtype.
_SYMPTOMS: Final[Mapping[str, tuple[Text, ...]]] = {
    "mobile": (
        ("手机无法上网", "手机数据网络无法连接，通话正常"),
        ("无法接听来电", "手机无法接听来电，对方听到不在服务区的提示"),
        ("信号时有时无", "手机在{place}信号时有时无"),
        ("短信发送失败", "手机短信无法发送，接收正常"),
    ),
    "broadband": (
        ("宽带无法上网", "宽带无法上网，光猫LOS灯红灯闪烁"),
        ("宽带频繁掉线", "宽带每隔十几分钟掉线一次"),
        ("网速明显下降", "{speed}宽带测速只有{measured}"),
        ("IPTV无信号", "IPTV电视提示无信号，宽带上网正常"),
    ),
    "fixed_voice": (
        ("固话无拨号音", "固话摘机无拨号音"),
        ("固话杂音大", "固话通话杂音大，听不清对方声音"),
        ("固话无法呼入", "固话可以拨出，但外线无法呼入"),
    ),
    "leased_line": (
        ("专线中断", "互联网专线中断，公司业务系统全部无法访问"),
        ("专线丢包", "{speed}专线丢包率超过百分之十"),
        ("专线时延高", "专线访问总部系统时延明显升高"),
    ),
    "iot": (
        ("物联网卡离线", "多张物联网卡离线，设备无法上报数据"),
        ("物联网卡无法注册", "物联网卡插入终端后无法注册网络"),
        ("流量池用量异常", "物联网流量池显示已用尽，但设备实际流量很少"),
    ),
    "cloud": (
        ("云主机无法登录", "云主机无法远程登录，控制台显示运行中"),
        ("云主机访问缓慢", "云主机上的业务系统访问缓慢，CPU占用并不高"),
        ("云硬盘挂载失败", "云硬盘挂载失败，提示设备忙"),
    ),
    "value_added": (
        ("会员权益无法使用", "已开通的视频会员权益无法使用，提示未订购"),
        ("彩铃不生效", "彩铃设置后来电方仍听到默认铃音"),
        ("云盘无法同步", "云盘照片无法同步，一直显示等待中"),
    ),
}
_FAULT_TEMPLATES: Final[tuple[tuple[str, str], ...]] = (
    ("{subject}", "用户报障：{detail}。"),
    ("故障报修：{subject}", "用户反映自{date}起{detail}。"),
    ("报障：{subject}", "客户来电称{detail}，已持续{duration}。"),
    ("{subject}，要求上门处理", "{detail}，用户已自行重启设备，问题依旧。"),
    ("{subject}，影响使用", "用户反映{detail}，影响正常使用。"),
    ("{p}报修：{subject}", "客户报修：{detail}。"),
    ("用户报修{subject}", "用户来电报修，{detail}。"),
    ("紧急报障：{subject}", "客户反映{detail}，情况比较紧急。"),
)
_DIAGNOSES: Final[Mapping[str, tuple[str, ...]]] = {
    "system": (
        "经查询，开通系统中该业务状态异常，疑似系统数据同步失败。",
        "后台显示相关工单卡在计费系统环节。",
        "近期系统割接后部分用户数据未同步，初步判断与此有关。",
    ),
    "network": (
        "初步判断为所在区域{element}。",
        "同区域有多名用户报障，疑似{element}。",
        "网管已有告警，初步判断为{element}。",
    ),
    "business": (
        "查询发现业务配置数据有误，{pkg}功能未正确开通。",
        "账户停机标记未解除，导致业务受限。",
        "用户业务属性与套餐不匹配，需要重新配置。",
    ),
    "user_side": (
        "远程检测网络侧正常，怀疑{terminal}。",
        "坐席指导用户排查后，初步判断为{terminal}。",
        "局端测试正常，疑似{terminal}。",
    ),
}
#: Network faults per product ("初步判断为所在区域…").
_ELEMENTS: Final[Mapping[str, tuple[str, ...]]] = {
    "mobile": ("基站退服", "基站传输中断", "基站所在机房停电", "天线被遮挡"),
    "broadband": ("光缆被施工挖断", "分光器端口故障", "OLT板卡故障", "光交箱进水"),
    "fixed_voice": ("电缆受潮", "交接箱端子故障", "语音网关故障", "光缆被施工挖断"),
    "leased_line": ("光缆被施工挖断", "传输链路中断", "汇聚机房设备故障", "跨区传输拥塞"),
    "iot": ("基站退服", "物联网核心网设备故障", "区域NB-IoT基站故障"),
    "cloud": ("资源池出口链路拥塞", "云平台所在机房网络故障", "负载均衡设备故障"),
    "value_added": ("业务平台故障", "内容分发节点异常", "平台接口异常"),
}
#: User-side causes per product ("怀疑…").
_TERMINALS: Final[Mapping[str, tuple[str, ...]]] = {
    "mobile": ("手机网络设置错误", "手机不支持当前网络制式", "SIM卡老化", "手机开启了呼叫转移"),
    "broadband": ("路由器老化", "光猫电源适配器损坏", "网线接触不良", "室内线路被老鼠咬断"),
    "fixed_voice": ("话机故障", "室内电话线接触不良", "话机被设置了免打扰"),
    "leased_line": ("用户侧路由器配置错误", "用户机房交换机故障", "用户侧防火墙策略拦截"),
    "iot": ("终端模组故障", "终端APN配置错误", "设备安装位置信号遮挡"),
    "cloud": ("安全组规则配置错误", "系统防火墙拦截了远程端口", "实例内存耗尽"),
    "value_added": ("客户端版本过旧", "手机存储空间不足", "账号登录的号码不一致"),
}
_FAULT_EXTRAS: Final = (
    "坐席已指导用户重启设备，无效。",
    "用户要求尽快派人上门处理。",
    "用户要求{deadline}修复。",
    "用户表示这是本月第{count_ordinal}次出现该问题。",
)
_ORDINALS: Final = ("二", "三", "四")


def _sentence_count(rng: random.Random) -> int:
    """How many sentences follow the opening one (0–3)."""
    return rng.choices((0, 1, 2, 3), weights=(20, 40, 30, 10), k=1)[0]


def _slots(rng: random.Random, product: str) -> dict[str, str]:
    speeds = _SPEEDS.get(product, _DEFAULT_SPEEDS)
    speed = rng.choice(speeds)
    if rng.random() < 0.6:
        month = rng.randint(1, 12)
        day_text = f"{month}月{rng.randint(1, 28)}日"
    else:
        day_text = rng.choice(_RELATIVE_DAYS)
    amount = rng.choice(_AMOUNTS)
    return {
        "p": PRODUCT_LABELS[product],
        "pkg": rng.choice(_PACKAGES[product]),
        "amount": f"{amount}元" if rng.random() < 0.8 else f"{amount}.50元",
        "date": day_text,
        "speed": "千兆" if speed == 1000 else f"{speed}M",
        "measured": f"{rng.randint(max(2, speed // 20), max(3, speed // 4))}M左右",
        "place": rng.choice(_PLACES),
        "gift": rng.choice(_GIFTS),
        "store": rng.choice(_STORES),
        "late": rng.choice(_LATE),
        "wait": rng.choice(_WAITS),
        "duration": rng.choice(_DURATIONS),
        "count": rng.choice(_COUNTS),
        "count_ordinal": rng.choice(_ORDINALS),
        "deadline": rng.choice(_DEADLINES),
        "month": rng.choice(_MONTHS),
        "context": rng.choice(_CONTEXTS),
        "element": rng.choice(_ELEMENTS[product]),
        "terminal": rng.choice(_TERMINALS[product]),
        "district": rng.choice([r.name for r in REGIONS if r.level == "district"]),
        "reason": rng.choice(_TERMINATE_REASONS),
        "move_reason": rng.choice(_MOVE_REASONS),
        "due": rng.choice(_DUES),
        "open": _OPEN_PHRASES[product],
        "stop": _STOP_PHRASES[product],
        "move": _MOVE_PHRASES[product],
        "target": _MOVE_TARGETS[product],
    }


def _topic(rng: random.Random, pool: Sequence[Text], slots: dict[str, str]) -> None:
    """Pick a (short, long) phrase into slots["subject"] / slots["detail"]."""
    short, long = rng.choice(pool)
    slots["subject"] = short.format(**slots)
    slots["detail"] = long.format(**slots)


def _extras(rng: random.Random, pool: Sequence[str], slots: Mapping[str, str]) -> list[str]:
    count = min(_sentence_count(rng), len(pool))
    return [text.format(**slots) for text in rng.sample(list(pool), count)]


def _check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(allowed)}")


def ticket_text(
    rng: random.Random, kind: str, category: str, subtype: str, product: str
) -> tuple[str, str]:
    """(title, description) of a ticket as a call-centre agent would record it.

    `subtype` is required for service orders and faults (an empty one is picked at random)
    and ignored for other kinds. Titles are at most 60 characters; descriptions have 1–4
    sentences and contain no names, phone numbers or ID numbers.
    """
    _check_choice("kind", kind, KINDS)
    _check_choice("category", category, CATEGORIES)
    _check_choice("product", product, PRODUCTS)
    kind, category, product = str(kind), str(category), str(product)
    subtypes = SUBTYPES[kind]
    if subtypes:
        if not subtype:
            subtype = rng.choice(subtypes)
        _check_choice("subtype", subtype, subtypes)
        subtype = str(subtype)
    slots = _slots(rng, product)

    if kind == "service_order":
        titles, openings = _ORDER_TEMPLATES[subtype]
        title = rng.choice(titles).format(**slots)
        sentences = [rng.choice(openings).format(**slots)]
        sentences += _extras(rng, _ORDER_EXTRAS[category], slots)[:2]
    elif kind == "fault":
        _topic(rng, _SYMPTOMS[product], slots)
        title_template, opening = rng.choice(_FAULT_TEMPLATES)
        title = title_template.format(**slots)
        sentences = [opening.format(**slots)]
        if rng.random() < 0.75:
            sentences.append(rng.choice(_DIAGNOSES[subtype]).format(**slots))
        sentences += _extras(rng, _FAULT_EXTRAS, slots)[: 4 - len(sentences)]
    else:
        if kind == "inquiry":
            pool = _QUESTIONS[category]
        elif kind == "suggestion":
            pool = _SUGGESTIONS[category]
        elif category == "network_quality":
            pool = _NETWORK_ISSUES[product]
        else:
            pool = _ISSUES[category]
        _topic(rng, pool, slots)
        slots["source"], slots["source_full"] = rng.choice(_APPEAL_SOURCES)
        slots["demand"] = rng.choice(_DEMANDS).format(**slots)
        title_template, opening = rng.choice(_KIND_TEMPLATES[kind])
        title = title_template.format(**slots)
        sentences = [opening.format(**slots)]
        sentences += _extras(rng, _KIND_EXTRAS[kind], slots)
    label = slots["p"]
    title = title.replace(label + label, label)  # "{p}{subject}" when the subject names it
    description = "".join(sentences[:4]).replace(label + label, label)
    return title[:60], description


# ---------------------------------------------------------------------------------------------
# Timeline notes
# ---------------------------------------------------------------------------------------------

_WHEN: Final = ("明天上午", "今天下午", "周六上午", "明天下午两点后", "后天上午")
_DEPARTMENTS: Final = (
    "装维中心",
    "网络维护中心",
    "计费中心",
    "政企客户部",
    "投诉处理中心",
    "网络优化组",
    "属地营业部",
)

_NOTES: Final[Mapping[str, tuple[str, ...]]] = {
    "register": (
        "来电登记。",
        "根据用户来电内容登记工单。",
        "在线客服渠道转入，已登记。",
        "营业厅代客登记。",
    ),
    "accept": (
        "已受理，将按时限处理。",
        "工单信息核实无误，予以受理。",
        "已核实用户身份及诉求，受理。",
        "材料齐全，受理并转入处理流程。",
        "已受理，并告知用户处理时限。",
    ),
    "reject": (
        "诉求不属于本企业受理范围，已告知用户向相关部门反映。",
        "重复工单，已合并至原工单处理。",
        "用户身份无法核实，暂不受理。",
        "非机主本人来电且无法提供授权，不予受理。",
        "该诉求已处理完毕且用户已确认，不重复受理。",
    ),
    "assign": (
        "派至{dept}处理。",
        "按故障区域派单至属地装维班组。",
        "涉及计费争议，转计费中心核查。",
        "政企客户业务，派政企支撑团队处理。",
        "按区域派单，请在时限内联系用户。",
        "需现场核查，派{dept}跟进。",
    ),
    "start": (
        "已联系用户，约定{when}上门。",
        "开始处理，正在远程排查。",
        "已接单，正在核查用户账单。",
        "已电话联系用户了解情况，开始处理。",
        "已安排工程师赶赴现场。",
    ),
    "pend": (
        "等待用户预约上门时间。",
        "用户暂时不在家，约定{when}再上门。",
        "等待厂家提供备件。",
        "需等待光缆抢修完成。",
        "等待用户补充材料。",
        "多次联系用户未接通，已短信告知，等待回复。",
        "施工需物业审批，等待审批结果。",
    ),
    "resume": (
        "用户已确认上门时间，恢复处理。",
        "备件已到货，继续处理。",
        "已收到用户补充材料，继续处理。",
        "光缆抢修完成，恢复处理。",
        "用户已回电，继续跟进。",
    ),
    "resolve": (
        "已更换光猫，测试网速达标，用户确认恢复正常。",
        "核实为计费错误，已退还多扣费用{amount}。",
        "已为用户退订未经授权开通的增值业务并退费。",
        "重新配置业务数据后恢复正常。",
        "基站故障已修复，信号恢复正常。",
        "已向用户解释资费规则，用户表示理解。",
        "已更换网线并调整路由器信道，网速恢复正常。",
        "业务已办理完成并生效，已短信通知用户。",
        "已将用户加入营销免打扰名单。",
        "已对相关人员进行批评教育，并向用户致歉。",
    ),
    "close": (
        "回访用户满意，结单。",
        "用户确认问题已解决，归档。",
        "回访三次未接通，按规定结单。",
        "处理结果已告知用户，关闭工单。",
        "用户认可处理结果，结单。",
    ),
    "reopen": (
        "回访用户不满意，重新处理。",
        "用户反映问题再次出现。",
        "质检发现处理结果与实际不符，退回重办。",
        "用户对退费金额有异议。",
        "用户表示承诺的事项未落实，要求重新处理。",
    ),
    "cancel": (
        "用户主动撤销。",
        "用户表示问题已自行解决，申请撤单。",
        "重复登记，撤销本单。",
        "用户改为到营业厅办理，撤销工单。",
        "登记信息有误，撤销后重新登记。",
    ),
    "note": (
        "已电话联系用户，告知处理进度。",
        "用户来电催办，已安抚并加急。",
        "已与{dept}沟通，预计{when}完成。",
        "补充说明：用户希望工作日晚上联系。",
    ),
    "attach": ("已上传现场照片。", "已上传测速截图。", "已上传用户提供的缴费凭证。"),
    "update": ("补充用户诉求信息。", "根据核实结果调整工单分类。", "更正联系时段。"),
}

#: Actions `note_text` knows.
NOTE_ACTIONS: Final = tuple(_NOTES)


def note_text(rng: random.Random, action: str) -> str:
    """A short timeline note, or the reason/resolution text, for a ticket action."""
    _check_choice("action", action, NOTE_ACTIONS)
    amount = rng.choice(_AMOUNTS)
    slots = {"dept": rng.choice(_DEPARTMENTS), "when": rng.choice(_WHEN), "amount": f"{amount}元"}
    return rng.choice(_NOTES[str(action)]).format(**slots)
