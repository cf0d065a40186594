"""Whose move it is: the next steps of a quality record that the reader may not take, each
with the roles that may (the reader's own actions are the page's buttons).

    {% load quality_workflow %}
    {% waiting_on ncr %}
"""

from django import template

from medtrace.accounts.roles import Role, role_grants
from medtrace.quality.workflows import CAPA, COMPLAINT, DEVIATION, INSPECTION, NCR

register = template.Library()

WORKFLOWS = {
    "nonconformance": NCR,
    "inspectionrecord": INSPECTION,
    "deviation": DEVIATION,
    "capa": CAPA,
    "complaint": COMPLAINT,
}


def roles_allowed(permission: str) -> list[str]:
    """The roles granting `permission` by name (the administrator's everything left out)."""
    return [
        str(role.label)
        for role in Role
        if role != Role.SYSTEM_ADMIN and role_grants(role, permission)
    ]


@register.inclusion_tag("quality/_waiting_on.html", takes_context=True)
def waiting_on(context, record):
    workflow = WORKFLOWS[record._meta.model_name]
    user = context["request"].user
    mine = {transition.name for transition in workflow.allowed(record, user)}
    return {
        "steps": [
            (transition, roles_allowed(transition.permission))
            for transition in workflow.available(record)
            if transition.name not in mine
        ]
    }
