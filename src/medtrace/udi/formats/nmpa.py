"""NMPA UDID (医疗器械唯一标识数据库): an Excel workbook for the database's template import, one
row per minimum sales unit and one per higher packaging level. Column names and what is
required follow YY/T 1752-2020 (基本数据集) and YY/T 1753-2020 (填报指南)."""

import io
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from medtrace.catalog.choices import IssuingAgency, SterilizationMethod
from medtrace.catalog.models import DeviceIdentifier
from medtrace.udi.choices import Database
from medtrace.udi.formats.common import (
    DeviceRecord,
    Element,
    Written,
    blank_to_none,
    missing_messages,
    production_identifiers,
    stamp,
    writable,
)

NAME = "NMPA UDID"
# China's issuing agencies are GS1, MA (IDcode) and AHM; medtrace issues GS1 and MA codes.
ACCEPTED = (IssuingAgency.GS1, IssuingAgency.MA)
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRODUCT_SHEET = "产品标识信息"
PACKAGE_SHEET = "包装标识信息"

database = Database.NMPA


def in_scope(device: DeviceIdentifier) -> bool:
    """The UDID holds the devices marketed in China: those with an NMPA class."""
    return bool(device.risk_class_cn)


def _chinese(display) -> str:
    with translation.override("zh-hans"):
        return str(display())


def elements(record: DeviceRecord) -> list[Element]:
    device = record.device
    item = device.item
    sterilized = device.sterile or device.sterilize_before_use
    method = (
        _chinese(device.get_sterilization_method_display)
        if device.sterilization_method != SterilizationMethod.NONE
        else None
    )
    return [
        Element("最小销售单元产品标识", device.value, True),
        Element("产品标识编码体系名称", device.issuing_agency, True),
        Element("最小销售单元中使用单元的数量", 1, True),
        Element("产品名称/通用名称", blank_to_none(item.name), True),
        Element("商品名称", blank_to_none(device.brand)),
        Element("规格型号", blank_to_none(device.model_number), True),
        Element("是否为包类/组套类产品", device.kit, True),
        Element("产品描述", blank_to_none(device.description), True),
        Element("产品货号或编号", blank_to_none(device.catalog_number)),
        Element("分类编码", blank_to_none(device.nmpa_classification_code), True),
        Element("器械类别", device.risk_class_cn, True),
        Element("注册证编号或者备案凭证编号", blank_to_none(device.registration_number), True),
        Element("医疗器械注册人/备案人名称", record.registrant_value("legal_name"), True),
        Element("医疗器械注册人/备案人英文名称", record.registrant_value("legal_name_en")),
        Element("统一社会信用代码", record.registrant_value("uscc"), True),
        Element("产品类别", "器械", True),
        Element("磁共振（MR）安全相关信息", _chinese(device.get_mri_safety_display), True),
        Element("是否标记为一次性使用", device.single_use, True),
        Element("最大重复使用次数", device.max_reuses),
        Element("是否为无菌包装", device.sterile, True),
        Element("使用前是否需要进行灭菌", device.sterilize_before_use, True),
        Element("灭菌方式", method, sterilized),
        Element("生产标识是否包含批号", device.label_has_lot, True),
        Element("生产标识是否包含序列号", device.label_has_serial, True),
        Element("生产标识是否包含生产日期", device.label_has_manufacturing_date, True),
        Element("生产标识是否包含失效日期", device.label_has_expiry, True),
        Element("特殊储存或操作条件", blank_to_none(item.storage_conditions)),
        Element("是否有本体直接标识", device.direct_marking, True),
        Element("医保耗材分类编码", blank_to_none(device.insurance_code_cn)),
        Element("其他信息的网址链接", blank_to_none(device.eifu_url)),
        Element("企业联系电话", record.registrant_value("contact_phone"), True),
        Element("企业联系邮箱", record.registrant_value("contact_email"), True),
        Element("是否已退市", not device.is_active, True),
    ]


def package_elements(record: DeviceRecord, package: DeviceIdentifier) -> list[Element]:
    return [
        Element("最小销售单元产品标识", record.device.value, True),
        Element("包装产品标识", package.value, True),
        Element("产品包装级别", _chinese(package.get_packaging_level_display), True),
        Element("包装内含小一级包装产品标识", package.contains.value, True),
        Element("包装内含小一级包装产品标识数量", package.quantity_per_package, True),
        Element("是否已退市", not package.is_active, True),
    ]


def problems(record: DeviceRecord) -> list[str]:
    found = missing_messages(NAME, elements(record))
    if record.device.issuing_agency not in ACCEPTED:
        found.append(_("NMPA UDID accepts GS1, MA and AHM codes only."))
    if not production_identifiers(record.device):
        found.append(_("The label must carry at least one production identifier."))
    return found


def _cell(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return writable(value)
    return value


def _sheet(workbook: Workbook, title: str, rows: list[list[Element]], *, first: bool):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    if not rows:
        return
    sheet.append([element.name for element in rows[0]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(element.value) for element in row])


def write(records: list[DeviceRecord], *, number: int, at: datetime) -> Written:
    workbook = Workbook()
    published = Element("产品标识发布日期", at.date().isoformat(), True)
    _sheet(workbook, PRODUCT_SHEET, [[*elements(r), published] for r in records], first=True)
    packages = [package_elements(r, p) for r in records for p in r.packages]
    _sheet(workbook, PACKAGE_SHEET, packages, first=False)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Written(f"nmpa-udid-{number:04d}-{stamp(at)}.xlsx", CONTENT_TYPE, buffer.getvalue())
