"""The supplier evaluation questionnaire: a fixed set of questions for a medical-device
maker's supplier (ISO 13485 7.4.1, 医疗器械生产质量管理规范 附录 供应商审核指南). Each answer
is yes / partly / no / not applicable with a score from 0 to MAX_SCORE and a comment; an
evaluation is answered when every question is. The codes are stored with the answers: a
question is never renumbered or reworded in meaning, only added."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from medtrace.partners.choices import MAX_SCORE, Answer


@dataclass(frozen=True)
class Question:
    code: str
    text: Promise
    guidance: Promise


QUESTIONS = (
    Question(
        "qms_certified",
        _("Is the supplier's quality management system certified to ISO 13485?"),
        _("Certificate number, scope and certification body; ISO 9001 only counts as partly."),
    ),
    Question(
        "licences",
        _("Does the supplier hold the licences its products need?"),
        _("营业执照, 医疗器械生产许可证 or 注册证 where the product is itself regulated."),
    ),
    Question(
        "quality_agreement",
        _("Is a quality agreement signed?"),
        _("Specifications, responsibilities, right to audit, record retention, CoA with lots."),
    ),
    Question(
        "change_notification",
        _("Has the supplier agreed to notify changes before making them?"),
        _("Material, process, site, equipment or sub-tier supplier changes; notice period."),
    ),
    Question(
        "subtier_control",
        _("Does the supplier control its own suppliers (sub-tier)?"),
        _("Approved supplier list, incoming inspection, flow-down of our requirements."),
    ),
    Question(
        "traceability",
        _("Are lots traceable to their materials and production records?"),
        _("Lot numbering, certificate of analysis or conformance with each delivery."),
    ),
    Question(
        "process_validation",
        _("Are special processes validated and monitored?"),
        _("Sterilization, moulding, extrusion, welding, cleaning; revalidation after changes."),
    ),
    Question(
        "measurement",
        _("Is measuring and test equipment calibrated and traceable?"),
        _("Calibration records against national standards; out-of-tolerance handling."),
    ),
    Question(
        "nonconformance_capa",
        _("Does the supplier control nonconforming product and run CAPA?"),
        _("Segregation, disposition, 8D or CAPA answers to our complaints within agreed times."),
    ),
    Question(
        "records",
        _("Are quality records kept for the device's lifetime and given on request?"),
        _("At least the device's lifetime and two years (NMPA); retrievable within days."),
    ),
)

BY_CODE = {question.code: question for question in QUESTIONS}


def percentage(answers: Iterable[tuple[str, int | None]]) -> int | None:
    """The score of (answer, score) pairs in per cent of the possible, questions not applicable
    left out; None while nothing scored is answered."""
    scores = [score or 0 for answer, score in answers if answer != Answer.NOT_APPLICABLE]
    if not scores:
        return None
    return round(100 * sum(scores) / (MAX_SCORE * len(scores)))
