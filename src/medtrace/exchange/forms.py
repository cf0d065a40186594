"""The upload form: it parses; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from medtrace.exchange.choices import ImportKind
from medtrace.exchange.sheets import MAX_FILE_BYTES, MAX_ROWS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Excel (.xlsx, first sheet) or CSV (UTF-8, comma separated), row 1 the column names; "
            "at most %(mb)s MB and %(rows)s rows."
        )
        % {"mb": MAX_FILE_BYTES // 1024 // 1024, "rows": f"{MAX_ROWS:,}"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Recorded with every change the import makes; required when it corrects device "
            "identifiers."
        ),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, ImportKind(kind).label) for kind in kinds]
