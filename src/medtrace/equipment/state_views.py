"""The machine-state section of an equipment's page: its state now, how its last week was
spent, the latest changes, and a form to record a state by hand (a breakdown, a set-up)."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.equipment import selectors
from medtrace.equipment.choices import EquipmentStatus, MachineState
from medtrace.equipment.services import states

WEEK = timedelta(days=7)
CHANGES_SHOWN = 20


class StateForm(forms.Form):
    prefix = "machine"  # the page's status form has a reason too

    state = forms.ChoiceField(label=gettext_lazy("State"), choices=MachineState.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=200)


def state_context(equipment, user) -> dict:
    now = timezone.now()
    spans = states.timeline(equipment, since=now - WEEK, until=now)
    return {
        "machine_state": states.current_state(equipment),
        "state_shares": states.shares(spans, until=now),
        "state_changes": equipment.state_changes.select_related("recorded_by").order_by(
            "-at", "-pk"
        )[:CHANGES_SHOWN],
        "state_form": StateForm()
        if equipment.status != EquipmentStatus.RETIRED
        and user.has_perm(states.PERMISSION, equipment)
        else None,
    }


@require_POST
@perm_required(states.PERMISSION)
def state_record(request, pk: int):
    equipment = selectors.get_equipment_or_404(request.user, pk)
    form = StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the machine's state."))
    else:
        try:
            change = states.record_state(
                equipment,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(code)s is %(state)s from now.")
                % {"code": equipment.code, "state": change.get_state_display().lower()},
            )
    return redirect(f"{reverse('equipment:equipment-detail', args=[equipment.pk])}#machine-states")
