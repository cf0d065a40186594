"""The UDI database submissions of regulatory affairs: the registrant's details, the NMPA UDID
and GUDID files accepted, then a description corrected since (so one device shows as changed),
and a first EUDAMED file awaiting its outcome, without the catheter kit, which still lacks
its EMDN code.

The DUNS number, SRNs and the unified social credit code are illustrative, not real."""

from medtrace.catalog import services as catalog
from medtrace.catalog.choices import PackagingLevel
from medtrace.catalog.models import DeviceIdentifier
from medtrace.demo.catalog import gtin14
from medtrace.demo.plant import DemoPlant
from medtrace.udi import services
from medtrace.udi.choices import Database


def build_udi_submissions(demo: DemoPlant) -> None:
    by = demo.users["regulatory"]
    organization = demo.organization
    services.save_registrant(
        organization=organization,
        by=by,
        legal_name=organization.name,
        legal_name_en=organization.name_en,
        address="江苏省苏州市工业园区星湖街 218 号 / 218 Xinghu Street, Suzhou Industrial Park",
        country="CN",
        uscc="91320594MA1W2X3Y4K",
        duns_number="545012345",
        eu_srn="CN-MF-000012345",
        eu_representative="Medimark Europe B.V., Amsterdam",
        eu_representative_srn="NL-AR-000004321",
        contact_phone="+86 512 6288 0000",
        contact_email="udi@demo-medical.example",
    )
    for database, reference in (
        (Database.NMPA, "UDID-320594-2026-0001"),
        (Database.GUDID, "GUDID-SUB-0007731"),
    ):
        submission = services.prepare_submission(
            organization=organization, database=database, by=by
        )
        services.record_submitted(submission=submission, reference=reference, by=by)
    infusion_set = DeviceIdentifier.objects.get(
        organization=organization, value=gtin14("10011", PackagingLevel.BASE_UNIT)
    )
    catalog.update_device_identifier(
        device_identifier=infusion_set,
        reason="IFU revision C: the filter is now 5 µm (CR-2026-014).",
        by=by,
        description=infusion_set.description.replace("15 µm", "5 µm"),
    )
    services.prepare_submission(
        organization=organization,
        database=Database.EUDAMED,
        by=by,
        device_identifier_ids=[infusion_set.pk],
    )
