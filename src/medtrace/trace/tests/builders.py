"""Events for the trace tests, built as the EPCIS codec builds them."""

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from medtrace.epcis.model import ErrorDeclaration, Event, QuantityElement, TypedId


def event(
    event_type: str,
    event_id: str,
    time: datetime,
    *,
    action: str | None = "OBSERVE",
    biz_step: str | None = None,
    disposition: str | None = None,
    biz_location: str | None = None,
    epcs=(),
    quantities=(),
    parent: str | None = None,
    inputs=(),
    input_quantities=(),
    outputs=(),
    output_quantities=(),
    ilmd=None,
    sources=(),
    destinations=(),
    error_declaration=None,
) -> Event:
    def amounts(pairs):
        return tuple(
            QuantityElement(epc_class=epc_class, quantity=Decimal(amount), uom=None)
            for epc_class, amount in pairs
        )

    return Event(
        event_type=event_type,
        event_id=event_id,
        event_time=time,
        event_time_zone_offset="+08:00",
        record_time=None,
        action=None if event_type == "TransformationEvent" else action,
        biz_step=biz_step,
        disposition=disposition,
        read_point=None,
        biz_location=biz_location,
        parent_id=parent,
        epc_list=tuple(epcs),
        quantity_list=amounts(quantities),
        input_epc_list=tuple(inputs),
        input_quantity_list=amounts(input_quantities),
        output_epc_list=tuple(outputs),
        output_quantity_list=amounts(output_quantities),
        transformation_id=None,
        biz_transactions=(),
        sources=tuple(TypedId("owning_party", party) for party in sources),
        destinations=tuple(TypedId("owning_party", party) for party in destinations),
        ilmd=ilmd or {},
        sensor_element_list=(),
        persistent_disposition=None,
        certification_info=None,
        error_declaration=error_declaration,
        extensions={},
        context={},
    )


def corpus_events(facts) -> tuple[list[Event], list[Event]]:
    """The corpus facts as EPCIS events, and the error declarations of the retracted ones."""
    events = [_fact_event(fact) for fact in facts]
    declarations = [
        replace(
            event,
            error_declaration=ErrorDeclaration(
                declaration_time=fact.time + timedelta(days=30),
                reason="incorrect_data",
                corrective_event_ids=(),
            ),
        )
        for fact, event in zip(facts, events, strict=True)
        if fact.retracted
    ]
    return events, declarations


def _is_lot(identifier: str) -> bool:
    return "/10/" in identifier


def _split(identifiers):
    """Lots go in quantity lists, units and containers in EPC lists."""
    lots = [(identifier, "10") for identifier in identifiers if _is_lot(identifier)]
    return [i for i in identifiers if not _is_lot(i)], lots


def _fact_event(fact) -> Event:
    ilmd = {"cbvmda:lotNumber": fact.lot_number} if fact.lot_number else None
    epcs, quantities = _split(fact.objects)
    if fact.kind == "make":
        inputs, input_quantities = _split(fact.inputs)
        outputs, output_quantities = _split(fact.outputs)
        return event(
            "TransformationEvent",
            fact.event_id,
            fact.time,
            biz_step="commissioning",
            inputs=inputs,
            input_quantities=input_quantities,
            outputs=outputs,
            output_quantities=output_quantities,
            ilmd=ilmd,
        )
    if fact.kind in ("pack", "unpack"):
        return event(
            "AggregationEvent",
            fact.event_id,
            fact.time,
            action="ADD" if fact.kind == "pack" else "DELETE",
            biz_step="packing" if fact.kind == "pack" else "unpacking",
            parent=fact.parent,
            epcs=epcs,
        )
    kinds = {
        "receive": ("ADD", "receiving", "in_progress"),
        "commission": ("ADD", "commissioning", "active"),
        "ship": ("OBSERVE", "shipping", "in_transit"),
    }
    action, biz_step, disposition = kinds[fact.kind]
    return event(
        "ObjectEvent",
        fact.event_id,
        fact.time,
        action=action,
        biz_step=biz_step,
        disposition=disposition,
        epcs=epcs,
        quantities=quantities,
        ilmd=ilmd,
        sources=[fact.party] if fact.kind == "receive" else (),
        destinations=[fact.party] if fact.kind == "ship" else (),
    )
