"""The device problem of a complaint in the IMDRF Adverse Event Terminology: the level-1 terms
of Annex A "Medical Device Problem" (IMDRF/AE WG/N43, IMDRF terminologies for categorized
Adverse Event Reporting (AER): terms, terminology structure and codes), coded as the annex
codes them so that complaints trend per failure mode and the EU MIR's Annex A field can be
filled from them.

Codes and terms are those of Annex A, Release 2022 (approved 27 January 2022); the Release
2023 (approved 31 January 2023) lists the same level-1 terms in the same order. Terms are
spelled as the annex spells them, stray spaces before slashes included, so that they read
the same as the annex."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceProblem(models.TextChoices):
    PATIENT_DEVICE_INTERACTION = "A01", _("Patient Device Interaction Problem")
    MANUFACTURING_PACKAGING_SHIPPING = "A02", _("Manufacturing, Packaging or Shipping Problem")
    CHEMICAL = "A03", _("Chemical Problem")
    MATERIAL_INTEGRITY = "A04", _("Material Integrity Problem")
    MECHANICAL = "A05", _("Mechanical Problem")
    OPTICAL = "A06", _("Optical Problem")
    ELECTRICAL = "A07", _("Electrical /Electronic Property Problem")
    CALIBRATION = "A08", _("Calibration Problem")
    OUTPUT = "A09", _("Output Problem")
    TEMPERATURE = "A10", _("Temperature Problem")
    SOFTWARE = "A11", _("Computer Software Problem")
    CONNECTION = "A12", _("Connection Problem")
    COMMUNICATION = "A13", _("Communication or Transmission Problem")
    INFUSION_OR_FLOW = "A14", _("Infusion or Flow Problem")
    ACTIVATION_POSITIONING_SEPARATION = "A15", _("Activation, Positioning or Separation Problem")
    PROTECTIVE_MEASURES = "A16", _("Protective Measures Problem")
    COMPATIBILITY = "A17", _("Compatibility Problem")
    CONTAMINATION = "A18", _("Contamination /Decontamination Problem")
    ENVIRONMENTAL_COMPATIBILITY = "A19", _("Environmental Compatibility Problem")
    INSTALLATION = "A20", _("Installation-Related Problem")
    LABELLING = "A21", _("Labelling, Instructions for Use or Training Problem")
    HUMAN_DEVICE_INTERFACE = "A22", _("Human-Device Interface Problem")
    USE_OF_DEVICE = "A23", _("Use of Device Problem")
    NO_DEVICE_OR_USE_PROBLEM = "A24", _("Adverse Event Without Identified Device or Use Problem")
    NO_APPARENT_ADVERSE_EVENT = "A25", _("No Apparent Adverse Event")
    INSUFFICIENT_INFORMATION = "A26", _("Insufficient Information")
    NO_APPROPRIATE_TERM = "A27", _("Appropriate Term/Code Not Available")


def coded_choices() -> list[tuple[str, str]]:
    """The terms as a select offers them, each after its code (those who code by heart look
    for the code); built per request, in the reader's language."""
    return [(problem.value, f"{problem.value} {problem.label}") for problem in DeviceProblem]
