from .orders import Package, PackageContent, Pick, ShipmentLine, ShipmentOrder
from .returns import ReturnAuthorization, ReturnLine
from .terms import CustomerShippingTerms, SsccSeries

__all__ = [
    "CustomerShippingTerms",
    "Package",
    "PackageContent",
    "Pick",
    "ReturnAuthorization",
    "ReturnLine",
    "ShipmentLine",
    "ShipmentOrder",
    "SsccSeries",
]
