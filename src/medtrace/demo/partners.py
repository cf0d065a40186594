"""The demo plant's suppliers and customers, entered by QA: the material makers, packaging
suppliers behind the catalog's items with their certificates, qualified
through their lifecycle (demo.supplier_qualification: every qualification state, audits, a
CAPA, a certificate about to expire and one that has lapsed), and the hospitals and
distributors the plant ships to (one distributor's licence has lapsed).

Certificate and licence numbers follow the Chinese formats but are illustrative. GLNs use
GS1's documentation prefix 950 6000 with computed check digits. Dates are relative to the day
the demo is built, so the badges always show the same picture.
"""

import datetime

from django.utils import timezone

from medtrace.demo.plant import DemoPlant
from medtrace.demo.supplier_qualification import qualify_suppliers
from medtrace.partners import services as partners
from medtrace.partners.choices import CertificateKind, CustomerKind
from medtrace.scan.checks import gs1_check_digit

GS1_COMPANY_PREFIX = "9506000"

# (code, name, English name, contact, address); their qualification and the items they may
# supply: demo.supplier_qualification.
SUPPLIERS = [
    ("SUP-ZJPVC", "浙江康塑医用材料有限公司", "Zhejiang Kangsu Medical Materials Co., Ltd.",
     "张华 Zhang Hua, +86 571 8888 1234", "浙江省杭州市余杭区文一西路 1500 号"),
    ("SUP-JSNDL", "江苏精针医疗器械有限公司", "Jiangsu Jingzhen Medical Needle Co., Ltd.",
     "陆明 Lu Ming, +86 519 8666 2020", "江苏省常州市武进区湖塘镇长安路 88 号"),
    ("SUP-SHTYV", "上海洁包包装材料有限公司", "Shanghai Jiebao Packaging Materials Co., Ltd.",
     "王蕾 Wang Lei, +86 21 5999 3030", "上海市闵行区莘庄工业区春东路 508 号"),
    ("SUP-NBABS", "宁波甬塑医用树脂有限公司", "Ningbo Yongsu Medical Resins Co., Ltd.",
     "郑凯 Zheng Kai, +86 574 8777 6060", "浙江省宁波市北仑区新碶街道明州路 66 号"),
    ("SUP-GDABS", "广东华塑新材料股份有限公司", "Guangdong Huasu New Materials Co., Ltd.",
     "何军 He Jun, +86 757 2233 4455", "广东省佛山市顺德区容桂街道华口工业区"),
    ("SUP-WZNDL", "温州瓯江针管厂", "Wenzhou Oujiang Needle Tube Works",
     "林涛 Lin Tao, +86 577 8655 1010", "浙江省温州市瓯海区娄桥工业园"),
    ("SUP-SZBOX", "苏州吴中纸品包装有限公司", "Suzhou Wuzhong Paper Packaging Co., Ltd.",
     "顾敏 Gu Min, +86 512 6520 7788", "江苏省苏州市吴中区木渎镇金枫南路 9 号"),
]  # fmt: skip

# (supplier, kind, number, issuer, days since valid from, days until it ends). SUP-JSNDL's
# ISO 13485 certificate expires next month; SUP-NBABS's is suspended by its issuer in
# demo.supplier_qualification, which makes the supplier conditional.
CERTIFICATES = [
    ("SUP-ZJPVC", CertificateKind.ISO_13485, "CN-13485-2023-0412", "TÜV SÜD", 400, 700),
    ("SUP-ZJPVC", CertificateKind.BUSINESS_LICENCE, "91330110MA2GL0XX1K",
     "杭州市市场监督管理局", 2000, 3650),
    ("SUP-JSNDL", CertificateKind.ISO_13485, "CN-13485-2022-1187", "SGS", 1070, 25),
    ("SUP-JSNDL", CertificateKind.PRODUCTION_LICENCE, "苏食药监械生产许20160123号",
     "江苏省药品监督管理局", 900, 900),
    ("SUP-SHTYV", CertificateKind.ISO_13485, "CN-13485-2024-0733", "BSI", 200, 900),
    ("SUP-NBABS", CertificateKind.ISO_13485, "CN-13485-2023-2290", "TÜV Rheinland", 700, 400),
    ("SUP-GDABS", CertificateKind.ISO_13485, "CN-13485-2025-0318", "DNV", 120, 980),
    ("SUP-WZNDL", CertificateKind.BUSINESS_LICENCE, "91330304MA2AT0YY7Q",
     "温州市市场监督管理局", 1500, 2000),
]  # fmt: skip


def gln(location_reference: str) -> str:
    digits = GS1_COMPANY_PREFIX + location_reference
    return digits + gs1_check_digit(digits)


# (code, name, English name, kind, region, address, GLN reference, licence, days until it ends)
CUSTOMERS = [
    ("H-SUDA1", "苏州大学附属第一医院", "The First Affiliated Hospital of Soochow University",
     CustomerKind.HOSPITAL, "江苏", "江苏省苏州市姑苏区十梓街 188 号", "20001",
     "PDY00001232050813A1001", 1500),
    ("H-RUIJIN", "上海交通大学医学院附属瑞金医院", "Ruijin Hospital, SJTU School of Medicine",
     CustomerKind.HOSPITAL, "上海", "上海市黄浦区瑞金二路 197 号", "20002",
     "PDY00012931010113A1001", 1200),
    ("H-ZJU1", "浙江大学医学院附属第一医院", "The First Affiliated Hospital, Zhejiang University",
     CustomerKind.HOSPITAL, "浙江", "浙江省杭州市上城区庆春路 79 号", "20003",
     "PDY00003933010213A1001", 900),
    ("C-SIP", "苏州工业园区星湖社区卫生服务中心", "Xinghu Community Health Centre, SIP",
     CustomerKind.CLINIC, "江苏", "江苏省苏州市工业园区星湖街 1 号", "", "", None),
    ("D-JSMED", "江苏华康医疗器械有限公司", "Jiangsu Huakang Medical Devices Co., Ltd.",
     CustomerKind.DISTRIBUTOR, "江苏", "江苏省南京市建邺区江东中路 311 号", "30001",
     "苏宁药监械经营许20190456号", 800),
    ("D-GDMED", "广州百和医药供应链有限公司", "Guangzhou Baihe Medical Supply Chain Co., Ltd.",
     CustomerKind.DISTRIBUTOR, "广东", "广东省广州市黄埔区科学大道 99 号", "30002",
     "粤穗食药监械经营许20170321号", 600),
    ("D-ZJOLD", "浙江恒泰医疗器械经营部", "Zhejiang Hengtai Medical Trading",
     CustomerKind.DISTRIBUTOR, "浙江", "浙江省宁波市海曙区中山西路 20 号", "30003",
     "浙甬食药监械经营许20150088号", -45),
]  # fmt: skip


def _email(code: str, kind: str) -> str:
    """Where a customer's recall notices go (设备科 at hospitals, QA at distributors); the
    distributor whose licence lapsed left no address, so its notices go out as letters."""
    if code == "D-ZJOLD":
        return ""
    mailbox = "qa" if kind == CustomerKind.DISTRIBUTOR else "shebeike"
    return f"{mailbox}@{code.lower()}.example.cn"


def build_partners(demo: DemoPlant) -> None:
    by = demo.users["qa"]
    today = timezone.localdate()
    days = datetime.timedelta
    suppliers = {}
    for code, name, name_en, contact, address in SUPPLIERS:
        suppliers[code] = partners.create_supplier(
            organization=demo.organization,
            code=code,
            name=name,
            name_en=name_en,
            contact=contact,
            address=address,
            by=by,
        )
    for code, kind, number, issuer, since, until in CERTIFICATES:
        partners.add_certificate(
            supplier=suppliers[code],
            kind=kind,
            number=number,
            issuer=issuer,
            valid_from=today - days(since),
            valid_until=today + days(until),
            by=by,
        )
    qualify_suppliers(demo, suppliers)
    for code, name, name_en, kind, region, address, reference, licence, until in CUSTOMERS:
        partners.create_customer(
            organization=demo.organization,
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            region=region,
            address=address,
            gln=gln(reference) if reference else "",
            licence_number=licence,
            licence_valid_until=today + days(until) if until is not None else None,
            email=_email(code, kind),
            by=by,
        )
