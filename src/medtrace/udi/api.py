"""UDI database submissions over the REST API (mounted at /api/v1/udi): where each device
stands with each database, preparing a submission file, downloading it, recording the
database's answer, and the registrant's details."""

from datetime import datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, require_perm
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.udi import selectors, services
from medtrace.udi.choices import Database, RecordState, SubmissionStatus
from medtrace.udi.models import Registrant, Submission

router = Router(tags=["udi"])

FILE = {
    "responses": {
        200: {
            "description": "The submission file exactly as prepared (zip, xlsx or xml).",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


class DeviceStatusOut(Schema):
    device_identifier: str
    item: str
    packages: list[str]
    active: bool
    state: RecordState
    problems: list[str] = Field(description="Each element the database requires and lacks.")
    ready: bool
    last_accepted_submission: int | None
    pending_submission: int | None


class SubmissionIn(Schema):
    database: Database
    device_identifiers: list[str] | None = Field(
        None, description="DI values to include; omitted: every device new or changed since."
    )


class SubmissionOut(Schema):
    id: int
    database: Database
    number: int
    status: SubmissionStatus
    file_name: str
    sha256: str
    prepared_at: datetime
    prepared_by: str | None
    outcome_at: datetime | None
    reference: str
    rejection_reason: str
    devices: list[str]

    @staticmethod
    def resolve_prepared_by(submission: Submission) -> str | None:
        return submission.prepared_by.username if submission.prepared_by_id else None

    @staticmethod
    def resolve_devices(submission: Submission) -> list[str]:
        return [record.device_identifier.value for record in submission.records.all()]


class AcceptedIn(Schema):
    reference: str = Field(description="The acknowledgement the database returned.")


class RejectedIn(Schema):
    reason: str


class RegistrantIn(Schema):
    legal_name: str
    legal_name_en: str = ""
    address: str = ""
    country: str = "CN"
    uscc: str = ""
    duns_number: str = ""
    eu_srn: str = ""
    eu_representative: str = ""
    eu_representative_srn: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    reason: str = Field("", description="Required when correcting saved details.")


class RegistrantOut(Schema):
    legal_name: str
    legal_name_en: str
    address: str
    country: str
    uscc: str
    duns_number: str
    eu_srn: str
    eu_representative: str
    eu_representative_srn: str
    contact_phone: str
    contact_email: str
    updated_at: datetime


def _status_out(status) -> dict:
    device = status.record.device
    return {
        "device_identifier": device.value,
        "item": device.item.code,
        "packages": [package.value for package in status.record.packages],
        "active": device.is_active,
        "state": status.state,
        "problems": status.problems,
        "ready": status.ready,
        "last_accepted_submission": status.last_submitted.number if status.last_submitted else None,
        "pending_submission": status.pending.number if status.pending else None,
    }


@router.get("/databases/{database}/devices", response={200: list[DeviceStatusOut], **READ_ERRORS})
def list_devices(request, database: Database):
    """The devices `database` holds, each new, changed or up to date against the last accepted
    submission, with what it still lacks."""
    require_perm(request, "udi.view_submission")
    statuses = selectors.device_statuses(request.user.organization_id, database)
    return [_status_out(status) for status in statuses]


@router.get("/submissions", response={200: list[SubmissionOut], **READ_ERRORS})
def list_submissions(request, database: Database | None = None):
    require_perm(request, "udi.view_submission")
    submissions = selectors.visible_submissions(request.user).select_related("prepared_by")
    submissions = submissions.prefetch_related("records__device_identifier")
    if database:
        submissions = submissions.filter(database=database)
    return list(submissions[:200])


@router.post("/submissions", response={201: SubmissionOut, **WRITE_ERRORS})
def prepare_submission(request, payload: SubmissionIn):
    """Prepare the database's bulk file; refused (422) naming every device and the element it
    lacks when any chosen device is incomplete."""
    require_perm(request, "udi.add_submission")
    ids = None
    if payload.device_identifiers is not None:
        statuses = selectors.device_statuses(request.user.organization_id, payload.database)
        by_value = {s.record.device.value: s.record.device.pk for s in statuses}
        unknown = [value for value in payload.device_identifiers if value not in by_value]
        if unknown:
            message = _("%(database)s does not hold these device identifiers: %(values)s.") % {
                "database": payload.database.label,
                "values": ", ".join(unknown),
            }
            raise DomainError(ErrorCode.VALIDATION, message, fields={"device_identifiers": unknown})
        ids = [by_value[value] for value in payload.device_identifiers]
    submission = services.prepare_submission(
        organization=request.user.organization,
        database=payload.database,
        by=request.user,
        device_identifier_ids=ids,
    )
    return Status(201, submission)


@router.get("/submissions/{submission_id}", response={200: SubmissionOut, **READ_ERRORS})
def get_submission(request, submission_id: int):
    return selectors.get_submission_or_404(request.user, submission_id)


@router.get("/submissions/{submission_id}/file", response=READ_ERRORS, openapi_extra=FILE)
def submission_file(request, submission_id: int):
    submission = selectors.get_submission_or_404(request.user, submission_id)
    response = HttpResponse(bytes(submission.content), content_type=submission.content_type)
    response["Content-Disposition"] = f'attachment; filename="{submission.file_name}"'
    return response


@router.post("/submissions/{submission_id}/accepted", response={200: SubmissionOut, **WRITE_ERRORS})
def record_accepted(request, submission_id: int, payload: AcceptedIn):
    """The database accepted the file: its devices count as submitted as they were in it."""
    submission = selectors.get_submission_or_404(request.user, submission_id)
    require_perm(request, "udi.change_submission")
    return services.record_submitted(
        submission=submission, reference=payload.reference, by=request.user
    )


@router.post("/submissions/{submission_id}/rejected", response={200: SubmissionOut, **WRITE_ERRORS})
def record_rejected(request, submission_id: int, payload: RejectedIn):
    submission = selectors.get_submission_or_404(request.user, submission_id)
    require_perm(request, "udi.change_submission")
    return services.record_rejected(submission=submission, reason=payload.reason, by=request.user)


@router.get("/registrant", response={200: RegistrantOut, **READ_ERRORS})
def get_registrant(request):
    require_perm(request, "udi.view_registrant")
    registrant = selectors.registrant_for(request.user.organization_id)
    if registrant is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("No registrant details are recorded yet."))
    return registrant


@router.put("/registrant", response={200: RegistrantOut, **WRITE_ERRORS})
def save_registrant(request, payload: RegistrantIn) -> Registrant:
    """Create the registrant's details, or correct them (with a reason)."""
    exists = selectors.registrant_for(request.user.organization_id) is not None
    require_perm(request, "udi.change_registrant" if exists else "udi.add_registrant")
    values = payload.dict()
    reason = values.pop("reason")
    return services.save_registrant(
        organization=request.user.organization, by=request.user, reason=reason, **values
    )
