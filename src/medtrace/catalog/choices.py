"""The catalog's fixed vocabularies: item kinds and units, UDI issuing agencies, packaging
levels and the regulatory attribute values of GUDID, NMPA UDID and EUDAMED."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    RAW_MATERIAL = "raw_material", _("Raw material")
    COMPONENT = "component", _("Component")
    SUB_ASSEMBLY = "sub_assembly", _("Sub-assembly")
    FINISHED_DEVICE = "finished_device", _("Finished device")
    PACKAGING = "packaging", _("Packaging material")


# Kinds that can be a device placed on the market (a finished device, or a part sold on its own
# as a spare or accessory) and so carry a UDI device identifier.
DEVICE_KINDS = frozenset({ItemKind.FINISHED_DEVICE, ItemKind.SUB_ASSEMBLY, ItemKind.COMPONENT})


class UnitOfMeasure(models.TextChoices):
    EA = "EA", _("pcs")
    SET = "SET", _("set")
    BOX = "BOX", _("box")
    PACK = "PACK", _("pack")
    ROLL = "ROLL", _("roll")
    KG = "KG", _("kg")
    G = "G", _("g")
    L = "L", _("L")
    ML = "ML", _("mL")
    M = "M", _("m")
    M2 = "M2", _("m²")


class Tracking(models.TextChoices):
    NONE = "none", _("Not tracked")
    LOT = "lot", _("By lot")
    SERIAL = "serial", _("By serial number")


class IssuingAgency(models.TextChoices):
    """The UDI issuing agencies: the three FDA-accredited ones, and China's MA (IDcode)."""

    GS1 = "GS1", "GS1"
    HIBCC = "HIBCC", "HIBCC"
    ICCBBA = "ICCBBA", "ICCBBA"
    MA = "MA", _("MA (IDcode)")


class PackagingLevel(models.TextChoices):
    """From the device itself outwards; `rank` orders them (a package contains a lower level)."""

    BASE_UNIT = "base_unit", _("Base unit")
    INNER_PACK = "inner_pack", _("Inner pack")
    CASE = "case", _("Case")
    PALLET = "pallet", _("Pallet")

    @property
    def rank(self) -> int:
        return list(PackagingLevel).index(self)


class RiskClassCN(models.TextChoices):
    """NMPA 管理类别."""

    I = "I", _("Class I")  # noqa: E741
    II = "II", _("Class II")
    III = "III", _("Class III")


class RiskClassEU(models.TextChoices):
    """EU MDR Annex VIII."""

    I = "I", _("Class I")  # noqa: E741
    IIA = "IIa", _("Class IIa")
    IIB = "IIb", _("Class IIb")
    III = "III", _("Class III")


class RiskClassUS(models.TextChoices):
    """FDA device class (21 CFR 860)."""

    I = "I", _("Class I")  # noqa: E741
    II = "II", _("Class II")
    III = "III", _("Class III")


class SterilizationMethod(models.TextChoices):
    NONE = "none", _("Not sterile")
    ETHYLENE_OXIDE = "eo", _("Ethylene oxide (EO)")
    GAMMA = "gamma", _("Gamma irradiation")
    E_BEAM = "e_beam", _("Electron beam")
    STEAM = "steam", _("Moist heat (steam)")
    DRY_HEAT = "dry_heat", _("Dry heat")
    HYDROGEN_PEROXIDE = "h2o2", _("Hydrogen peroxide (VH2O2)")
    ASEPTIC = "aseptic", _("Aseptic processing")
    OTHER = "other", _("Other")


class MriSafety(models.TextChoices):
    """ASTM F2503 MR labelling, as GUDID and EUDAMED ask for it."""

    NOT_LABELLED = "not_labelled", _("Not labelled")
    SAFE = "safe", _("MR Safe")
    CONDITIONAL = "conditional", _("MR Conditional")
    UNSAFE = "unsafe", _("MR Unsafe")
