"""Organization, sites, locations and one user per role."""

import random
from dataclasses import dataclass, field

from medtrace.accounts.models import User
from medtrace.accounts.roles import Role
from medtrace.accounts.services import create_user
from medtrace.catalog.models import Item
from medtrace.documents.models import ControlledDocument
from medtrace.org import services as org
from medtrace.org.choices import LocationKind, SiteKind
from medtrace.org.models import Location, Organization, Site

DEMO_PASSWORD = "Medtrace-demo-2026"  # nosec B105 # demo login, printed by `medtrace demo`


@dataclass
class DemoPlant:
    seed: int
    rng: random.Random = field(init=False)
    organization: Organization | None = None
    sites: dict[str, Site] = field(default_factory=dict)
    locations: dict[tuple[str, str], Location] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    documents: dict[str, ControlledDocument] = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)  # nosec B311 # demo data


SITES = [
    (
        "SZ01",
        "苏州工厂",
        "Suzhou plant",
        SiteKind.PLANT,
        "江苏省苏州市工业园区星湖街 328 号 / 328 Xinghu St, Suzhou Industrial Park, Jiangsu",
    ),
    (
        "SZ02",
        "深圳工厂",
        "Shenzhen plant",
        SiteKind.PLANT,
        "广东省深圳市南山区高新南九道 10 号 / 10 Gaoxin South 9th Rd, Nanshan, Shenzhen",
    ),
    (
        "DC01",
        "华东分拨中心",
        "East China distribution centre",
        SiteKind.WAREHOUSE,
        "上海市嘉定区叶城路 1118 号 / 1118 Yecheng Rd, Jiading, Shanghai",
    ),
]

# (code, parent code, name, English name, kind)
PLANT_LOCATIONS = [
    ("RCV", None, "原料收货区", "Raw-material receiving", LocationKind.RECEIVING),
    ("QUA", None, "待检区", "Quarantine", LocationKind.QUARANTINE),
    ("QUA-01", "QUA", "待检货架 1", "Quarantine rack 1", LocationKind.QUARANTINE),
    ("QUA-02", "QUA", "待检货架 2", "Quarantine rack 2", LocationKind.QUARANTINE),
    ("WH", None, "原料库", "Raw-material store", LocationKind.AREA),
    ("WH-A01", "WH", "原料库 A01 货位", "Store bin A01", LocationKind.STOCK),
    ("WH-A02", "WH", "原料库 A02 货位", "Store bin A02", LocationKind.STOCK),
    ("WH-C01", "WH", "冷藏库 C01 (2-8°C)", "Cold store C01 (2-8 °C)", LocationKind.STOCK),
    ("CR", None, "十万级洁净车间", "ISO 8 clean room", LocationKind.AREA),
    ("CR-L1", "CR", "装配一线", "Assembly line 1", LocationKind.PRODUCTION),
    ("CR-L2", "CR", "装配二线", "Assembly line 2", LocationKind.PRODUCTION),
    ("STER", None, "灭菌区", "Sterilization", LocationKind.PRODUCTION),
    ("FG", None, "成品库", "Finished-goods store", LocationKind.STOCK),
    ("SHP", None, "发货区", "Shipping dock", LocationKind.SHIPPING),
    ("RET", None, "退货区", "Returns", LocationKind.RETURNS),
    ("MRB", None, "不合格品区", "Nonconforming (MRB) cage", LocationKind.QUARANTINE),
    ("SCR", None, "报废区", "Scrap", LocationKind.SCRAP),
]

WAREHOUSE_LOCATIONS = [
    ("RCV", None, "收货区", "Receiving", LocationKind.RECEIVING),
    ("QUA", None, "待检区", "Quarantine", LocationKind.QUARANTINE),
    ("A", None, "常温库", "Ambient store", LocationKind.AREA),
    *[
        (f"A-{row:02d}", "A", f"常温库 {row:02d} 排", f"Ambient row {row:02d}", LocationKind.STOCK)
        for row in range(1, 7)
    ],
    ("C", None, "冷藏库 (2-8°C)", "Cold store (2-8 °C)", LocationKind.STOCK),
    ("SHP", None, "发货区", "Shipping dock", LocationKind.SHIPPING),
    ("RET", None, "退货区", "Returns", LocationKind.RETURNS),
    ("SCR", None, "报废区", "Scrap", LocationKind.SCRAP),
]

# (username, full name, role, sites)
PEOPLE = [
    ("admin", "系统管理员 Admin", Role.SYSTEM_ADMIN, ["SZ01", "SZ02", "DC01"]),
    ("qa", "王静 Wang Jing", Role.QA_MANAGER, ["SZ01", "SZ02", "DC01"]),
    ("inspector", "李强 Li Qiang", Role.QA_INSPECTOR, ["SZ01"]),
    ("supervisor", "陈伟 Chen Wei", Role.PRODUCTION_SUPERVISOR, ["SZ01"]),
    # The process engineer who raises the plant's change requests.
    ("engineer", "马骏 Ma Jun", Role.PRODUCTION_SUPERVISOR, ["SZ01"]),
    ("operator", "赵敏 Zhao Min", Role.OPERATOR, ["SZ01"]),
    ("warehouse", "刘洋 Liu Yang", Role.WAREHOUSE_CLERK, ["SZ01", "DC01"]),
    ("buyer", "孙丽 Sun Li", Role.PURCHASING, ["SZ01", "SZ02"]),
    ("regulatory", "周涛 Zhou Tao", Role.REGULATORY_AFFAIRS, ["SZ01", "SZ02", "DC01"]),
    ("auditor", "吴芳 Wu Fang", Role.AUDITOR, ["SZ01", "SZ02", "DC01"]),
    ("sz-qa", "黄磊 Huang Lei", Role.QA_MANAGER, ["SZ02"]),
]


def build_sites(demo: DemoPlant) -> None:
    demo.organization, _created = org.ensure_organization(
        name="示例医疗器械有限公司", name_en="Demo Medical Devices Co."
    )
    for code, name, name_en, kind, address in SITES:
        demo.sites[code] = org.create_site(
            organization=demo.organization,
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            time_zone="Asia/Shanghai",
            address=address,
        )


def build_locations(demo: DemoPlant) -> None:
    for site_code, site in demo.sites.items():
        layout = WAREHOUSE_LOCATIONS if site.kind == SiteKind.WAREHOUSE else PLANT_LOCATIONS
        for code, parent_code, name, name_en, kind in layout:
            parent = demo.locations[(site_code, parent_code)] if parent_code else None
            demo.locations[(site_code, code)] = org.create_location(
                site=site, parent=parent, code=code, name=name, name_en=name_en, kind=kind
            )


def build_people(demo: DemoPlant) -> None:
    for username, full_name, role, site_codes in PEOPLE:
        user = create_user(
            organization=demo.organization,
            username=username,
            password=DEMO_PASSWORD,
            email=f"{username}@example.com",
            full_name=full_name,
        )
        demo.users[username] = user
        for code in site_codes:
            org.grant_role(user=user, site=demo.sites[code], role=role)
