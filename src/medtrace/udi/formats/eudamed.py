"""EUDAMED (UDI/Device module): one XML file of Basic UDI-DIs, each with its UDI-DIs and their
container packages. Elements carry the names of the EUDAMED UDI/Device data dictionary and of
MDR Annex VI Part A section 2 and Part B; "required" follows them. The Commission's DTX schema
is not public, so this file is the data an upload tool maps to it (docs/udi-databases.md)."""

from datetime import datetime
from itertools import groupby
from xml.etree import ElementTree as ET  # nosec B405 # builds XML only, never parses

from django.utils.translation import gettext as _

from medtrace.catalog.choices import IssuingAgency
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

NAME = "EUDAMED"
NAMESPACE = "urn:medtrace:udi:eudamed:1"
# EU-designated issuing entities are GS1, HIBCC, ICCBBA and IFA; an MA code is not one.
ACCEPTED = (IssuingAgency.GS1, IssuingAgency.HIBCC, IssuingAgency.ICCBBA)
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
CONTENT_TYPE = "application/xml"

database = Database.EUDAMED


def in_scope(device: DeviceIdentifier) -> bool:
    """EUDAMED holds the devices placed on the EU market: those with an MDR class."""
    return bool(device.risk_class_eu)


def _needs_representative(record: DeviceRecord) -> bool:
    return record.registrant is not None and record.registrant.country not in EU_COUNTRIES


def basic_udi_elements(record: DeviceRecord) -> list[Element]:
    device = record.device
    representative = _needs_representative(record)
    return [
        Element("basicUDIIdentifier", blank_to_none(device.basic_udi_di), True),
        Element("riskClass", device.risk_class_eu, True),
        Element("deviceModel", blank_to_none(device.model_number), True),
        Element("implantable", device.implantable, True),
        Element("measuringFunction", device.measuring_function, True),
        Element("active", device.active_device, True),
        Element("manufacturerSRN", record.registrant_value("eu_srn"), True),
        Element("authorisedRepresentativeSRN",
                record.registrant_value("eu_representative_srn"), representative),
    ]  # fmt: skip


def udi_di_elements(record: DeviceRecord) -> list[Element]:
    device = record.device
    return [
        Element("UDIDICode", device.value, True),
        Element("issuingEntity", device.issuing_agency, True),
        Element("tradeName", blank_to_none(device.brand), True),
        Element("referenceNumber", blank_to_none(device.catalog_number)),
        Element("additionalDescription", blank_to_none(device.description)),
        Element("quantityOfDevice", 1, True),
        Element("productionIdentifierLot", device.label_has_lot, True),
        Element("productionIdentifierSerial", device.label_has_serial, True),
        Element("productionIdentifierExpiry", device.label_has_expiry, True),
        Element("productionIdentifierManufacturingDate",
                device.label_has_manufacturing_date, True),
        Element("EMDNCode", blank_to_none(device.emdn_code), True),
        Element("singleUse", device.single_use, True),
        Element("maxNumberOfReuses", device.max_reuses),
        Element("sterile", device.sterile, True),
        Element("sterilisationBeforeUse", device.sterilize_before_use, True),
        Element("latex", device.contains_latex, True),
        Element("directMarking", device.direct_marking, True),
        Element("storageHandlingConditions", blank_to_none(device.item.storage_conditions)),
        Element("electronicIFU", blank_to_none(device.eifu_url)),
        Element("deviceStatus",
                "ON_THE_MARKET" if device.is_active else "NO_LONGER_PLACED_ON_THE_MARKET", True),
    ]  # fmt: skip


def elements(record: DeviceRecord) -> list[Element]:
    return [*basic_udi_elements(record), *udi_di_elements(record)]


def package_elements(record: DeviceRecord, package: DeviceIdentifier) -> list[Element]:
    return [
        Element("packageUDIDICode", package.value, True),
        Element("childUDIDICode", package.contains.value, True),
        Element("numberOfItems", package.quantity_per_package, True),
        Element("packageStatus",
                "ON_THE_MARKET" if package.is_active else "NO_LONGER_PLACED_ON_THE_MARKET", True),
    ]  # fmt: skip


def problems(record: DeviceRecord) -> list[str]:
    found = missing_messages(NAME, elements(record))
    if record.device.issuing_agency not in ACCEPTED:
        found.append(_("EUDAMED accepts DIs of the EU-designated issuing entities only."))
    if not production_identifiers(record.device):
        found.append(_("The label must carry at least one production identifier."))
    return found


def _add(parent, items: list[Element]) -> None:
    for element in items:
        if element.value is None:
            continue
        ET.SubElement(parent, f"{{{NAMESPACE}}}{element.name}").text = writable(element.value)


def write(records: list[DeviceRecord], *, number: int, at: datetime) -> Written:
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(
        f"{{{NAMESPACE}}}UDIDeviceSubmission",
        {"generated": at.isoformat(timespec="seconds"), "number": str(number)},
    )
    ordered = sorted(records, key=lambda r: (r.device.basic_udi_di, r.device.value))
    for _basic, group in groupby(ordered, key=lambda r: r.device.basic_udi_di):
        group = list(group)
        basic = ET.SubElement(root, f"{{{NAMESPACE}}}BasicUDI")
        _add(basic, basic_udi_elements(group[0]))
        for record in group:
            udi = ET.SubElement(basic, f"{{{NAMESPACE}}}UDIDI")
            _add(udi, udi_di_elements(record))
            for package in record.packages:
                _add(ET.SubElement(udi, f"{{{NAMESPACE}}}ContainerPackage"),
                     package_elements(record, package))  # fmt: skip
    content = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Written(f"eudamed-{number:04d}-{stamp(at)}.xml", CONTENT_TYPE, content)
