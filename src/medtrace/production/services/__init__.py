"""Production's use cases, one module each: work orders (plan, release, cancel), operations,
parameter readings, consumption, outputs, labels, completion and QA's lot release."""

from .work_orders import cancel, create_work_order, production_lines, release

__all__ = ["cancel", "create_work_order", "production_lines", "release"]
