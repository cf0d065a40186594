"""The adverse-event report drafts a complaint is printed on: China's 可疑医疗器械不良事件报告表
(NMPA, 《医疗器械不良事件监测和再评价管理办法》), FDA Form 3500A (MedWatch, mandatory reporting;
the sections a device manufacturer fills in) and the EU Manufacturer Incident Report (MIR,
MDR Art. 87). Each form is declared once as sections of fields; `values` fills them from the
complaint, its device and the rule that makes it reportable; `sections` lays them out for the
PDF, with the patient's fields masked for a reader who may not see them.

Field labels are the forms' own wording (Chinese and English for the NMPA form, English for the
FDA and EU forms), like the citations in quality.reportability: they name an authority's field
and are not translated. These are drafts for the regulatory team to check and submit through
the authority's own channel (NMPA 国家医疗器械不良事件监测信息系统, FDA eMDR, EUDAMED); the
field lists follow the published forms in substance and should be checked against the current
version of each form before a submission relies on them (verify).
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone, translation

from medtrace.catalog.choices import PackagingLevel
from medtrace.catalog.models import DeviceIdentifier
from medtrace.quality.choices import EventOutcome, MarketRegion, PatientSex, ReportForm
from medtrace.quality.reportability import Outcome

MASK = "••••"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    sensitive: bool = False  # patient involvement: masked without quality.reveal_patient_data


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[Field, ...] = ()
    note: str = ""  # why a section is left empty


@dataclass(frozen=True)
class FormSpec:
    form: ReportForm
    region: MarketRegion
    title: str
    authority: str
    language: str  # the language the form's coded answers are written in
    sections: tuple[Section, ...]

    @property
    def sensitive_keys(self) -> frozenset[str]:
        return frozenset(f.key for s in self.sections for f in s.fields if f.sensitive)


def _f(key, label, sensitive=False) -> Field:
    return Field(key, label, sensitive)


NMPA = FormSpec(
    ReportForm.NMPA_ADVERSE_EVENT,
    MarketRegion.NMPA,
    "可疑医疗器械不良事件报告表 (Suspected medical device adverse event report)",
    "国家药品监督管理局 / 国家医疗器械不良事件监测信息系统",
    "zh-hans",
    (
        Section("report", "报告信息 Report", (
            _f("report_date", "报告日期 Report date"),
            _f("report_type", "报告类型 Report type"),
            _f("report_number", "报告编号 Report number"),
            _f("reporter_kind", "报告人 Reporter"),
            _f("deadline", "报告时限 Deadline"),
        )),
        Section("holder", "注册人/备案人信息 Registrant", (
            _f("manufacturer", "名称 Name"),
            _f("manufacturer_address", "地址 Address"),
            _f("contact_person", "联系人 Contact person"),
        )),
        Section("patient", "患者信息 Patient", (
            _f("patient_initials", "姓名 (缩写) Name (initials)", True),
            _f("patient_age", "年龄 Age", True),
            _f("patient_sex", "性别 Sex", True),
        )),
        Section("event", "不良事件情况 Adverse event", (
            _f("event_description", "事件主要表现 What happened"),
            _f("event_date", "事件发生日期 Date of the event"),
            _f("aware_on", "发现或者获知日期 Date learned of it"),
            _f("harm", "伤害程度 Harm"),
            _f("injury", "伤害表现 Injury", True),
            _f("place_of_use", "使用场所 Where it was used"),
        )),
        Section("device", "医疗器械情况 Device", (
            _f("device_name", "产品名称 Product name"),
            _f("registration_number", "注册证编号 Registration certificate"),
            _f("model", "型号规格 Model"),
            _f("lot_number", "产品批号 Lot"),
            _f("serial_number", "产品编号 Serial number"),
            _f("udi", "UDI"),
            _f("manufactured_on", "生产日期 Manufactured"),
            _f("expires_on", "有效期至 Expiry"),
        )),
        Section("evaluation", "评价与处理 Evaluation", (
            _f("cause_analysis", "事件原因分析 Cause analysis"),
            _f("actions", "初步处理情况 Actions taken"),
        )),
    ),
)  # fmt: skip

FDA = FormSpec(
    ReportForm.FDA_3500A,
    MarketRegion.FDA,
    "FDA Form 3500A (MedWatch) — manufacturer report",
    "U.S. Food and Drug Administration (21 CFR Part 803; submitted through eMDR)",
    "en",
    (
        Section("A", "A. Patient information", (
            _f("patient_initials", "A1. Patient identifier", True),
            _f("patient_age", "A2. Age", True),
            _f("patient_sex", "A3. Sex", True),
            _f("patient_weight", "A4. Weight", True),
        )),
        Section("B", "B. Adverse event or product problem", (
            _f("event_kind", "B1. Adverse event / product problem"),
            _f("outcomes", "B2. Outcome attributed to adverse event"),
            _f("event_date", "B3. Date of event"),
            _f("report_date", "B4. Date of this report"),
            _f("event_description", "B5. Describe event or problem"),
            _f("injury", "B5. Patient injury", True),
            _f("tests", "B6. Relevant tests / laboratory data"),
            _f("history", "B7. Other relevant history"),
        )),
        Section("C", "C. Suspect products", note="Drugs and biologics: not applicable to a "
                "device manufacturer's report."),
        Section("D", "D. Suspect medical device", (
            _f("brand", "D1. Brand name"),
            _f("device_name", "D2. Common device name"),
            _f("manufacturer_and_address", "D3. Manufacturer name, city and state"),
            _f("model", "D4. Model #"),
            _f("catalog_number", "D4. Catalog #"),
            _f("serial_number", "D4. Serial #"),
            _f("lot_number", "D4. Lot #"),
            _f("expires_on", "D4. Expiration date"),
            _f("udi", "D4. Unique identifier (UDI) #"),
            _f("single_use", "D7. Single-use device reprocessed and reused?"),
            _f("returned", "D9. Device available for evaluation?"),
        )),
        Section("E", "E. Initial reporter", (
            _f("reporter", "E1. Name, address, phone, e-mail", True),
            _f("reporter_kind", "E3. Occupation / kind of reporter"),
        )),
        Section("F", "F. For use by user facility / importer", note="Not applicable to a "
                "manufacturer's report."),
        Section("G", "G. All manufacturers", (
            _f("contact_office", "G1. Contact office (name, address)"),
            _f("report_source", "G3. Report source"),
            _f("aware_on", "G4. Date received by manufacturer"),
            _f("report_type", "G7. Type of report"),
            _f("event_terms", "G8. Adverse event term(s)"),
            _f("report_number", "G9. Manufacturer report number"),
            _f("deadline", "Due (21 CFR 803)"),
        )),
        Section("H", "H. Device manufacturers only", (
            _f("reportable_event", "H1. Type of reportable event"),
            _f("evaluated", "H3. Device evaluated by manufacturer?"),
            _f("manufactured_on", "H4. Device manufacture date"),
            _f("single_use_label", "H5. Labeled for single use?"),
            _f("remedial_action", "H7. Remedial action initiated"),
            _f("narrative", "H10. Additional manufacturer narrative"),
        )),
    ),
)  # fmt: skip

EU = FormSpec(
    ReportForm.EU_MIR,
    MarketRegion.EU,
    "Manufacturer Incident Report (MIR) — Regulation (EU) 2017/745 Art. 87",
    "National competent authority of the Member State where the incident occurred (EUDAMED)",
    "en",
    (
        Section("1", "1. Administrative information", (
            _f("report_date", "1.1 Date of this report"),
            _f("report_number", "1.2 Manufacturer's reference number"),
            _f("report_type", "1.3 Type of report"),
            _f("incident_type", "1.4 Incident type"),
            _f("deadline", "1.5 Reporting timeline"),
        )),
        Section("2", "2. Manufacturer", (
            _f("manufacturer", "2.1 Name"),
            _f("manufacturer_address", "2.2 Address"),
            _f("contact_person", "2.3 Contact person"),
        )),
        Section("3", "3. Medical device", (
            _f("basic_udi_di", "3.1 Basic UDI-DI"),
            _f("udi_di", "3.2 UDI-DI"),
            _f("udi", "3.3 UDI (with production identifiers)"),
            _f("brand", "3.4 Trade name"),
            _f("model", "3.5 Model / catalogue number"),
            _f("risk_class_eu", "3.6 Risk class"),
            _f("nomenclature", "3.7 Nomenclature code (GMDN)"),
            _f("lot_number", "3.8 Lot number"),
            _f("serial_number", "3.9 Serial number"),
            _f("manufactured_on", "3.10 Manufacturing date"),
            _f("expires_on", "3.11 Expiry date"),
        )),
        Section("4", "4. Incident information", (
            _f("event_date", "4.1 Date the incident occurred"),
            _f("aware_on", "4.2 Manufacturer awareness date"),
            _f("event_description", "4.3 Incident description"),
            _f("patients_involved", "4.4 Number of patients involved", True),
            _f("devices_involved", "4.5 Number of devices involved"),
            _f("place_of_use", "4.6 Healthcare facility"),
            _f("device_problem", "4.7 Medical device problem (IMDRF Annex A code)"),
        )),
        Section("5", "5. Patient information", (
            _f("patient_age", "5.1 Age at the time of the incident", True),
            _f("patient_sex", "5.2 Sex", True),
            _f("injury", "5.3 Patient outcome", True),
        )),
        Section("6", "6. Manufacturer's preliminary analysis", (
            _f("investigation", "6.1 Investigation"),
            _f("root_cause", "6.2 Root cause"),
            _f("actions", "6.3 Initial actions"),
        )),
    ),
)  # fmt: skip

FORMS: dict[str, FormSpec] = {spec.form: spec for spec in (NMPA, FDA, EU)}
FORM_OF_REGION = {spec.region: spec.form for spec in FORMS.values()}


def _day(value) -> str:
    return value.isoformat() if isinstance(value, date) else ""


def _due(row) -> str:
    due = row.due
    text = due.strftime("%Y-%m-%d %H:%M %z") if isinstance(due, datetime) else _day(due) or "—"
    return f"{text} · {row.rule_id} · {row.citation}"


def _device_identifier(item) -> DeviceIdentifier | None:
    if item is None:
        return None
    return (
        DeviceIdentifier.objects.filter(item=item, packaging_level=PackagingLevel.BASE_UNIT)
        .order_by("-is_active", "pk")
        .first()
    )


def _outcome_labels(complaint) -> str:
    return "; ".join(str(EventOutcome(value).label) for value in sorted(complaint.outcomes))


def _harm(outcomes: set[str]) -> str:
    if Outcome.DEATH in outcomes:
        return "死亡 Death"
    if outcomes & {Outcome.SERIOUS_INJURY, Outcome.UNANTICIPATED_SERIOUS_DETERIORATION}:
        return "严重伤害 Serious injury"
    if Outcome.MALFUNCTION in outcomes:
        return "其他 (可能导致严重伤害或死亡) Other (could cause serious injury or death)"
    return "其他 Other"


def _fda_event(outcomes: set[str]) -> str:
    if Outcome.DEATH in outcomes:
        return "Death"
    if outcomes & {Outcome.SERIOUS_INJURY, Outcome.UNANTICIPATED_SERIOUS_DETERIORATION}:
        return "Serious injury"
    if Outcome.MALFUNCTION in outcomes:
        return "Malfunction"
    return "Other"


def _eu_incident(outcomes: set[str]) -> str:
    if Outcome.SERIOUS_PUBLIC_HEALTH_THREAT in outcomes:
        return "Serious public health threat"
    if Outcome.DEATH in outcomes:
        return "Death"
    if Outcome.UNANTICIPATED_SERIOUS_DETERIORATION in outcomes:
        return "Unanticipated serious deterioration in state of health"
    return "All other reportable incidents"


def values(complaint, spec: FormSpec, *, deadline, sequence: int, by, today: date) -> dict:
    """The form's fields filled from the complaint (its device, lot and unit, organization and
    site, the rule `deadline` that makes it reportable), as text. Coded answers are written in
    the form's language."""
    with translation.override(spec.language):
        return _values(complaint, spec, deadline=deadline, sequence=sequence, by=by, today=today)


def _values(complaint, spec, *, deadline, sequence, by, today) -> dict:
    outcomes = set(complaint.outcomes)
    lot = complaint.unit.lot if complaint.unit and complaint.unit.lot else complaint.lot
    item = complaint.item
    di = _device_identifier(item)
    organization, site = complaint.site.organization, complaint.site
    customer = complaint.customer
    reporter = ", ".join(
        part
        for part in (
            complaint.complainant_name,
            customer.display_name if customer else "",
            customer.address if customer else "",
            complaint.complainant_contact,
        )
        if part
    )
    actions = "\n".join(
        part
        for part in (
            "Remedial action needed to prevent an unreasonable risk of substantial harm."
            if complaint.remedial_action_needed
            else "",
            f"NCR {complaint.nonconformance.number}" if complaint.nonconformance else "",
            f"CAPA {complaint.capa.number}" if complaint.capa else "",
        )
        if part
    )
    patient = complaint.patient_involved
    address = site.address or site.display_name
    return {
        "report_date": today.isoformat(),
        "report_type": "Initial" if spec.language == "en" else "首次报告 Initial",
        "report_number": f"{complaint.number}-{spec.region.upper()}-{sequence}",
        "reporter_kind": "Manufacturer" if spec.language == "en" else "注册人 Registrant",
        "deadline": _due(deadline),
        "manufacturer": organization.display_name,
        "manufacturer_address": " ".join(
            part for part in (site.display_name, site.address) if part
        ),
        "manufacturer_and_address": f"{organization.display_name}, {address}",
        "contact_person": by.printed_name,
        "contact_office": f"{organization.display_name}, {address}; {by.printed_name}",
        "patient_initials": complaint.patient_initials if patient else "",
        "patient_age": str(complaint.patient_age) if patient and complaint.patient_age else "",
        "patient_sex": str(PatientSex(complaint.patient_sex).label)
        if patient and complaint.patient_sex
        else "",
        "patient_weight": "",
        "patients_involved": "1" if patient else "0",
        "injury": complaint.injury_description if patient else "",
        "event_kind": "Adverse event" if patient else "Product problem",
        "outcomes": _outcome_labels(complaint),
        "event_terms": _outcome_labels(complaint),
        "event_date": _day(complaint.event_date),
        "aware_on": complaint.aware_on.isoformat(),
        "event_description": complaint.description,
        "tests": "",
        "history": "",
        "harm": _harm(outcomes),
        "reportable_event": _fda_event(outcomes),
        "incident_type": _eu_incident(outcomes),
        "place_of_use": customer.display_name if customer else "",
        "brand": di.brand if di else (item.display_name if item else ""),
        "device_name": item.display_name if item else "",
        "registration_number": di.registration_number if di else "",
        "model": di.model_number if di else (item.code if item else ""),
        "catalog_number": item.code if item else "",
        "lot_number": lot.lot_number if lot else "",
        "serial_number": complaint.unit.serial if complaint.unit else "",
        "udi": (complaint.unit or complaint.lot).identifier
        if (complaint.unit or complaint.lot)
        else "",
        "udi_di": di.value if di else "",
        "basic_udi_di": di.basic_udi_di if di else "",
        "risk_class_eu": di.risk_class_eu if di else "",
        "nomenclature": di.gmdn_code if di else "",
        "manufactured_on": _day(lot.manufactured_on) if lot else "",
        "expires_on": _day(lot.expires_on) if lot else "",
        "single_use": "No",
        "single_use_label": ("Yes" if di.single_use else "No") if di else "",
        "returned": "Unknown",
        "evaluated": "Yes" if complaint.investigation else "Evaluation in progress",
        "reporter": reporter,
        "report_source": "User facility / health professional"
        if customer
        else "Other: complaint received by " + complaint.get_channel_display(),
        "devices_involved": "1" if complaint.unit else ("lot" if lot else ""),
        "device_problem": (
            f"{complaint.problem_code} {complaint.get_problem_code_display()}"
            if complaint.problem_code
            else ""
        ),
        "remedial_action": "Yes" if complaint.remedial_action_needed else "None",
        "investigation": complaint.investigation,
        "root_cause": complaint.root_cause,
        "cause_analysis": complaint.root_cause or complaint.investigation,
        "narrative": "\n\n".join(p for p in (complaint.investigation, complaint.root_cause) if p),
        "actions": actions,
    }


def sections(spec: FormSpec, filled: dict, *, masked: bool) -> list[dict]:
    """The form laid out for printing: [{"title", "note", "rows": [(label, value)]}], the
    patient's fields shown as MASK when `masked`."""
    laid_out = []
    for section in spec.sections:
        rows = []
        for field in section.fields:
            value = filled.get(field.key, "")
            if field.sensitive and masked and value:
                value = MASK
            rows.append((field.label, value))
        laid_out.append({"title": section.title, "note": section.note, "rows": rows})
    return laid_out


def site_today(site) -> date:
    return timezone.localdate(timezone=ZoneInfo(site.time_zone))
