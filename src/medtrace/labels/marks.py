"""The ISO 15223-1:2021 symbols a device label carries, printed as their texts (not images):
which apply follows from the device identifier's regulatory attributes.

`code` is the text of the symbol as drawn, the same in every language ("STERILE EO", "LOT"),
empty for a symbol that is a picture, whose meaning `text` (translated) is printed instead;
`clause` is the ISO 15223-1 reference, empty for marks of other rules ("Rx only" is FDA
21 CFR 801.109, the MR marks are ASTM F2503).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from medtrace.catalog.choices import MriSafety, SterilizationMethod


@dataclass(frozen=True)
class Mark:
    code: str
    text: str
    clause: str = ""


MEDICAL_DEVICE = Mark("MD", _("Medical device"), "5.7.7")
UDI = Mark("UDI", _("Unique device identifier"), "5.7.10")
LOT = Mark("LOT", _("Batch code"), "5.1.5")
SERIAL = Mark("SN", _("Serial number"), "5.1.7")
REFERENCE = Mark("REF", _("Catalogue number"), "5.1.6")
USE_BY = Mark("", _("Use-by date"), "5.1.4")
MANUFACTURED = Mark("", _("Date of manufacture"), "5.1.3")
MANUFACTURER = Mark("", _("Manufacturer"), "5.1.1")

STERILE = {
    SterilizationMethod.ETHYLENE_OXIDE: Mark(
        "STERILE EO", _("Sterilized using ethylene oxide"), "5.2.3"
    ),
    SterilizationMethod.GAMMA: Mark("STERILE R", _("Sterilized using irradiation"), "5.2.4"),
    SterilizationMethod.E_BEAM: Mark("STERILE R", _("Sterilized using irradiation"), "5.2.4"),
    SterilizationMethod.STEAM: Mark("STERILE", _("Sterilized using steam or dry heat"), "5.2.5"),
    SterilizationMethod.DRY_HEAT: Mark("STERILE", _("Sterilized using steam or dry heat"), "5.2.5"),
    SterilizationMethod.HYDROGEN_PEROXIDE: Mark(
        "STERILE VH2O2", _("Sterilized using vaporized hydrogen peroxide"), "5.2.6"
    ),
    SterilizationMethod.ASEPTIC: Mark(
        "STERILE A", _("Sterilized using aseptic processing techniques"), "5.2.2"
    ),
    SterilizationMethod.OTHER: Mark("STERILE", _("Sterile"), "5.2.1"),
}
SINGLE_USE = Mark("", _("Do not re-use"), "5.4.2")
LATEX = Mark("", _("Contains latex"), "5.4.5")
PRESCRIPTION = Mark("", _("Rx only"))
MRI = {
    MriSafety.SAFE: Mark("", _("MR Safe")),
    MriSafety.CONDITIONAL: Mark("", _("MR Conditional")),
    MriSafety.UNSAFE: Mark("", _("MR Unsafe")),
}


def device_marks(identifier) -> list[Mark]:
    """The marks the DI's attributes call for, in the order a label shows them."""
    marks = []
    if identifier.sterile and identifier.sterilization_method in STERILE:
        marks.append(STERILE[identifier.sterilization_method])
    if identifier.single_use:
        marks.append(SINGLE_USE)
    if identifier.contains_latex:
        marks.append(LATEX)
    if identifier.prescription:
        marks.append(PRESCRIPTION)
    if identifier.mri_safety in MRI:
        marks.append(MRI[identifier.mri_safety])
    return marks
