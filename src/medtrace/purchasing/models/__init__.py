from medtrace.purchasing.models.orders import PurchaseOrder, PurchaseOrderLine, SourceException
from medtrace.purchasing.models.receipts import Receipt

__all__ = ["PurchaseOrder", "PurchaseOrderLine", "Receipt", "SourceException"]
