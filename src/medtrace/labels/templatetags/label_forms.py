"""The "Print label" form on a device identifier's page.

    {% load label_forms %}
    {% device_label_form identifier %}

shows the fields the DI's label carries, or why medtrace prints no label for it.
"""

from django import template

from medtrace.labels import services
from medtrace.labels.forms import DeviceLabelForm

register = template.Library()


@register.inclusion_tag("labels/_device_label_form.html", takes_context=True)
def device_label_form(context, identifier):
    unavailable = services.unavailable_reason(identifier)
    return {
        "identifier": identifier,
        "form": DeviceLabelForm(identifier=identifier),
        "unavailable": unavailable[1] if unavailable else None,
        "csrf_token": context.get("csrf_token"),
    }
