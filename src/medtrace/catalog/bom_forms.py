"""The BOM pages' forms: a draft's lines as text, one line per component."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.catalog.services import LineIn
from medtrace.core.numbers import plain

TRUE_WORDS = {"y", "yes", "1", "true", "是"}
FALSE_WORDS = {"n", "no", "0", "false", "否"}


def lines_as_text(bom) -> str:
    return "\n".join(
        "; ".join(
            [
                line.component.code,
                plain(line.quantity),
                line.unit,
                plain(line.tolerance_percent),
                "yes" if line.trace_required else "no",
            ]
        )
        for line in bom.lines.select_related("component")
    )


class BomLinesForm(forms.Form):
    lines = forms.CharField(
        label=_("Lines"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "mono"}),
        help_text=_(
            "One line per component: code; quantity; unit; tolerance %; traced (yes/no). "
            "Unit, tolerance and traced may be left out (the component's unit, 0, yes)."
        ),
    )
    reason = forms.CharField(label=_("Comment"), required=False, max_length=1000)

    def clean_lines(self) -> list[LineIn]:
        parsed = []
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [part.strip() for part in raw.split(";")]
            if len(parts) < 2 or len(parts) > 5 or not parts[0]:
                raise forms.ValidationError(
                    _("Row %(number)s: write “code; quantity; unit; tolerance; traced”.")
                    % {"number": number}
                )
            parts += [""] * (5 - len(parts))
            code, quantity, unit, tolerance, traced = parts
            traced = traced.lower()
            if traced and traced not in TRUE_WORDS | FALSE_WORDS:
                raise forms.ValidationError(
                    _("Row %(number)s: traced must be yes or no.") % {"number": number}
                )
            parsed.append(
                LineIn(
                    component=code,
                    quantity=quantity,
                    unit=unit,
                    tolerance_percent=tolerance or "0",
                    trace_required=traced not in FALSE_WORDS,
                )
            )
        return parsed
