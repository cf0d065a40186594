"""FDA GUDID: one HL7 SPL-style XML document per device (the base-unit DI with its package
configurations), zipped for a bulk upload. Element names are those of FDA's GUDID Data Elements
Reference Table; "required" follows it."""

import io
import uuid
import zipfile
from datetime import datetime
from xml.etree import ElementTree as ET  # nosec B405 # builds XML only, never parses

from django.utils import translation
from django.utils.translation import gettext as _

from medtrace.catalog.choices import IssuingAgency, MriSafety, SterilizationMethod
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

NAME = "GUDID"
HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# The OIDs SPL uses for the DI's issuing agency and for a DUNS number.
AGENCY_OIDS = {IssuingAgency.GS1: "1.3.160"}
DUNS_OID = "1.3.6.1.4.1.519.1"
ACCREDITED = (IssuingAgency.GS1, IssuingAgency.HIBCC, IssuingAgency.ICCBBA)
MRI_STATUS = {
    MriSafety.SAFE: "MR Safe",
    MriSafety.CONDITIONAL: "MR Conditional",
    MriSafety.UNSAFE: "MR Unsafe",
    MriSafety.NOT_LABELLED: "Labeling does not contain MRI Safety Information",
}
CONTENT_TYPE = "application/zip"

database = Database.GUDID


def in_scope(device: DeviceIdentifier) -> bool:
    """GUDID holds the devices marketed in the United States: those with an FDA class."""
    return bool(device.risk_class_us)


def _distribution(device: DeviceIdentifier) -> str:
    return "In Commercial Distribution" if device.is_active else "Not in Commercial Distribution"


def _sterilization(device: DeviceIdentifier) -> str | None:
    if device.sterilization_method == SterilizationMethod.NONE:
        return None
    with translation.override("en"):
        return str(device.get_sterilization_method_display())


def elements(record: DeviceRecord) -> list[Element]:
    device = record.device
    sterilized = device.sterile or device.sterilize_before_use
    return [
        Element("Primary DI Number", device.value, True),
        Element("Issuing Agency", device.issuing_agency, True),
        Element("Device Count", 1, True),
        Element("Labeler DUNS Number", record.registrant_value("duns_number"), True),
        Element("Company Name", record.registrant_value("legal_name_en"), True),
        Element("Brand Name", blank_to_none(device.brand), True),
        Element("Version or Model", blank_to_none(device.model_number), True),
        Element("Catalog Number", blank_to_none(device.catalog_number)),
        Element("Device Description", blank_to_none(device.description)),
        Element("Commercial Distribution Status", _distribution(device), True),
        Element("Device Subject to Direct Marking", device.direct_marking, True),
        Element("Kit", device.kit, True),
        Element("Combination Product", device.combination_product, True),
        Element("Human Cell, Tissue or Cellular or Tissue-Based Product (HCT/P)", False, True),
        Element("Prescription Use (Rx)", device.prescription, True),
        Element("Over the Counter (OTC)", not device.prescription, True),
        Element("Lot or Batch Number", device.label_has_lot, True),
        Element("Serial Number", device.label_has_serial, True),
        Element("Manufacturing Date", device.label_has_manufacturing_date, True),
        Element("Expiration Date", device.label_has_expiry, True),
        Element("Donation Identification Number", False, True),
        Element("FDA Premarket Submission Number", blank_to_none(device.fda_premarket_number),
                not device.fda_premarket_exempt),
        Element("Device Exempt from Premarket Authorization", device.fda_premarket_exempt, True),
        Element("FDA Product Code", blank_to_none(device.fda_product_code), True),
        Element("GMDN Preferred Term Code", blank_to_none(device.gmdn_code), True),
        Element("MRI Safety Status", MRI_STATUS[device.mri_safety], True),
        Element("Device required to be labeled as containing natural rubber latex",
                device.contains_latex, True),
        Element("For Single-Use", device.single_use, True),
        Element("Device Packaged as Sterile", device.sterile, True),
        Element("Requires Sterilization Prior to Use", device.sterilize_before_use, True),
        Element("Sterilization Method", _sterilization(device), sterilized),
        Element("Special Storage Conditions", blank_to_none(device.item.storage_conditions)),
        Element("Customer Contact Phone", record.registrant_value("contact_phone"), True),
        Element("Customer Contact Email", record.registrant_value("contact_email"), True),
    ]  # fmt: skip


def package_elements(record: DeviceRecord, package: DeviceIdentifier) -> list[Element]:
    return [
        Element("Package DI Number", package.value, True),
        Element("Quantity per Package", package.quantity_per_package, True),
        Element("Contains DI Package", package.contains.value, True),
        Element("Package Status", _distribution(package), True),
    ]


def problems(record: DeviceRecord) -> list[str]:
    found = missing_messages(NAME, elements(record))
    if record.device.issuing_agency not in ACCREDITED:
        found.append(
            _("GUDID accepts DIs of the FDA-accredited agencies only (GS1, HIBCC, ICCBBA).")
        )
    if not production_identifiers(record.device):
        found.append(_("The label must carry at least one production identifier."))
    return found


def _document(record: DeviceRecord, at: datetime) -> bytes:
    ET.register_namespace("", HL7)
    ET.register_namespace("xsi", XSI)

    def child(parent, tag, **attributes):
        return ET.SubElement(parent, f"{{{HL7}}}{tag}", {k: str(v) for k, v in attributes.items()})

    device = record.device
    document = ET.Element(f"{{{HL7}}}document")
    child(document, "id", root=str(uuid.uuid4()).upper())
    child(document, "code", displayName="GUDID DEVICE IDENTIFIER RECORD")
    child(document, "effectiveTime", value=at.strftime("%Y%m%d%H%M%S"))
    organization = child(
        child(child(document, "author"), "assignedEntity"), "representedOrganization"
    )
    child(organization, "id", root=DUNS_OID, extension=record.registrant_value("duns_number") or "")
    child(organization, "name").text = writable(record.registrant_value("legal_name_en") or "")
    section = child(child(child(document, "component"), "structuredBody"), "component")
    product = child(child(child(section, "section"), "subject"), "manufacturedProduct")
    kind = child(product, "manufacturedProduct")
    identifier = {"extension": device.value, "assigningAuthorityName": device.issuing_agency}
    if device.issuing_agency in AGENCY_OIDS:
        identifier["root"] = AGENCY_OIDS[device.issuing_agency]
    child(kind, "id", **identifier)
    child(kind, "name").text = writable(device.brand)
    # The publish date is the submission's, so it is not part of the device's fingerprint.
    published = Element("DI Record Publish Date", at.date().isoformat(), True)
    for element in [*elements(record), published]:
        if element.value is None:
            continue
        characteristic = child(child(product, "subjectOf"), "characteristic")
        child(characteristic, "code", displayName=element.name)
        child(characteristic, "value").text = writable(element.value)
    for package in record.packages:
        part = child(child(product, "asContent"), "containerPackagedProduct")
        for element in package_elements(record, package):
            characteristic = child(part, "characteristic")
            child(characteristic, "code", displayName=element.name)
            child(characteristic, "value").text = writable(element.value)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


def write(records: list[DeviceRecord], *, number: int, at: datetime) -> Written:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            archive.writestr(f"{record.device.value}.xml", _document(record, at))
    return Written(f"gudid-{number:04d}-{stamp(at)}.zip", CONTENT_TYPE, buffer.getvalue())
