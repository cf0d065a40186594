"""The recall pages' forms: they parse and present. Lots, units and cases are typed or scanned
one per line and resolved as the scan box reads them; a supplier's lot names our lots received
under it; NCR, complaint and CAPA numbers name the records the reader may see. Whether a recall
may start, and from what, is recall.services.recalls' to say."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from medtrace.catalog import selectors as catalog_selectors
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org.models import Site
from medtrace.partners import selectors as partner_selectors
from medtrace.partners.models import Supplier
from medtrace.quality import capa_selectors, complaint_selectors
from medtrace.quality import selectors as ncr_selectors
from medtrace.trace import selectors as trace_selectors
from medtrace.trace.models import TraceObject
from medtrace.trace.templatetags.trace_tags import object_label

from .choices import RecallStatus
from .models import Recall
from .services import recalls

ANY = [("", _("Any"))]
KINDS = [("", _("Any")), ("recall", _("Recalls")), ("drill", _("Drills"))]
CODES_WIDGET = forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "autocapitalize": "off"})


def site_label(site: Site) -> str:
    return f"{site.code} · {site.display_name}"


class RecallFilterForm(forms.Form):
    """The list's filters (GET); the header's site switcher narrows it further."""

    q = forms.CharField(label=_("Number or title"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ANY + RecallStatus.choices
    )
    kind = forms.ChoiceField(label=_("Recall or drill"), required=False, choices=KINDS)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda site: site.code


def resolve(user, code: str, site: Site | None) -> TraceObject:
    """The lot, unit or case `code` names, as the scan box reads it; a bare number several
    items share is narrowed to the chosen site's. DomainError when it names none or several."""
    try:
        return trace_selectors.find_one(user, code)
    except DomainError as error:
        if error.code != ErrorCode.CONFLICT or site is None:
            raise
        here = [obj for obj in trace_selectors.find(user, code) if obj.site_id == site.pk]
        if len(here) != 1:
            raise
        return here[0]


def parse_codes(user, text: str, site: Site | None = None) -> list[TraceObject]:
    """The objects named one per line, in order, each once; every line that names no single
    object is reported."""
    found, errors = {}, []
    for code in dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()):
        try:
            obj = resolve(user, code, site)
        except DomainError as error:
            errors.append(str(error.message))
        else:
            found.setdefault(obj.pk, obj)
    if errors:
        raise ValidationError(errors)
    return list(found.values())


def by_number(queryset, number: str, what):
    """The record numbered `number` among those the reader may see."""
    number = (number or "").strip()
    if not number:
        return None
    record = queryset.filter(number__iexact=number).first()
    if record is None:
        raise ValidationError(
            _("No %(what)s numbered %(number)s is known here.") % {"what": what, "number": number}
        )
    return record


def item_named(user, text: str):
    """The item of that code, or of that device identifier (GTIN, HIBC), among the user's."""
    item = catalog_selectors.visible_items(user).filter(code=text.strip().upper()).first()
    if item is None:
        try:
            item = catalog_selectors.get_device_identifier_or_404(user, text).item
        except Http404:
            return None
    return item


class RecallForm(forms.ModelForm):
    """A new recall or drill at one of `sites` (those where the user may open one), started
    from the lots, units or cases named, and/or our lots of a supplier's lot."""

    site = forms.ModelChoiceField(label=_("Responsible site"), queryset=Site.objects.none())
    roots = forms.CharField(
        label=_("Lots, units or cases"),
        required=False,
        widget=CODES_WIDGET,
        help_text=_("One per line: type a lot or serial number, or scan the label."),
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.none(), required=False
    )
    supplier_lot = forms.CharField(
        label=_("Supplier lot number"),
        required=False,
        max_length=40,
        help_text=_("Recalls every lot of ours received under the supplier's lot number."),
    )
    item = forms.CharField(
        label=_("Item or device identifier"),
        required=False,
        max_length=60,
        help_text=_("Recalls the item's lots made in the period below (code, GTIN or HIBC DI)."),
    )
    made_from = forms.DateField(
        label=_("Made from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    made_to = forms.DateField(
        label=_("Made until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    nonconformance = forms.CharField(label=_("NCR number"), required=False, max_length=20)
    complaint = forms.CharField(label=_("Complaint number"), required=False, max_length=20)
    capa = forms.CharField(label=_("CAPA number"), required=False, max_length=20)

    class Meta:
        model = Recall
        fields = [
            "title", "reason", "hazard", "nmpa_class", "fda_class", "eu_fsca", "depth",
            "strategy", "effectiveness", "effectiveness_share", "drill", "drill_external_mail",
        ]  # fmt: skip
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "hazard": forms.Textarea(attrs={"rows": 3}),
            "depth": forms.RadioSelect,
            "strategy": forms.RadioSelect,
        }
        help_texts = {
            "nmpa_class": _("一级/二级/三级: the notices are due within 1, 3 or 7 days."),
            "fda_class": _("A correction or removal is reported within 10 working days."),
            "eu_fsca": _("Reported to the competent authority before it is undertaken."),
        }

    def __init__(self, *args, user, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = site_label
        self.fields["supplier"].queryset = partner_selectors.visible_suppliers(user).order_by(
            "code"
        )
        self.fields["supplier"].label_from_instance = lambda supplier: (
            f"{supplier.code} · {supplier.display_name}"
        )
        for name in ("nmpa_class", "fda_class"):
            self.fields[name].choices = [("", _("Not classified")), *self.fields[name].choices[1:]]
        self.fields["depth"].choices = self.fields["depth"].choices[1:]
        self.fields["strategy"].choices = self.fields["strategy"].choices[1:]
        self.fields["effectiveness"].required = False  # level A when left out
        self.order_fields(
            ["site", "title", "reason", "hazard", "nmpa_class", "fda_class", "eu_fsca", "depth",
             "strategy", "effectiveness", "effectiveness_share", "drill", "drill_external_mail",
             "roots", "supplier", "supplier_lot", "item", "made_from", "made_to"]
        )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        site = cleaned.get("site")
        try:
            roots = parse_codes(self.user, cleaned.get("roots") or "", site)
        except ValidationError as error:
            self.add_error("roots", error)
            roots = []
        supplier, number = cleaned.get("supplier"), (cleaned.get("supplier_lot") or "").strip()
        if supplier is not None and not number:
            self.add_error("supplier_lot", _("Give the supplier's lot number."))
        elif number and supplier is None:
            self.add_error("supplier", _("Choose the supplier whose lot it is."))
        elif supplier is not None:
            ours = recalls.supplier_lots(self.user.organization, supplier, number)
            if not ours:
                self.add_error(
                    "supplier_lot",
                    _("No lot of ours was received as %(supplier)s's lot %(number)s.")
                    % {"supplier": supplier.display_name, "number": number},
                )
            roots += [lot for lot in ours if lot.pk not in {root.pk for root in roots}]
        roots += self._item_lots(cleaned, {root.pk for root in roots})
        cleaned["roots"] = roots
        for name, queryset, what in (
            ("nonconformance", ncr_selectors.visible_nonconformances(self.user), _("NCR")),
            ("complaint", complaint_selectors.visible_complaints(self.user), _("complaint")),
            ("capa", capa_selectors.visible_capas(self.user), _("CAPA")),
        ):
            try:
                cleaned[name] = by_number(queryset, cleaned.get(name), what)
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def _item_lots(self, cleaned, known: set[int]) -> list:
        text = (cleaned.get("item") or "").strip()
        if not text:
            if cleaned.get("made_from") or cleaned.get("made_to"):
                self.add_error("item", _("Name the item whose lots of the period are recalled."))
            return []
        item = item_named(self.user, text)
        if item is None:
            self.add_error("item", _("No item or device identifier %(code)s.") % {"code": text})
            return []
        try:
            lots = recalls.item_lots(self.user.organization, item, cleaned.get("made_from"),
                                     cleaned.get("made_to"))  # fmt: skip
        except DomainError as error:
            field = next(iter(error.details.get("fields", {})), "made_from")
            self.add_error(field, str(error.message))
            return []
        return [lot for lot in lots if lot.pk not in known]

    def _post_clean(self):
        """The service validates the recall as a whole; the form only parses."""

    def opening(self) -> dict:
        """The keyword arguments of recalls.open_recall."""
        fields = dict(self.cleaned_data)
        for name in ("supplier", "supplier_lot", "item", "made_from", "made_to"):
            fields.pop(name)
        fields["effectiveness"] = fields.get("effectiveness") or "A"
        return fields


class RescopeForm(forms.Form):
    """Widen the scope (lots, units or cases to add) or narrow it (roots to remove), with the
    reason; nothing to add or remove computes it again from the same roots."""

    add = forms.CharField(
        label=_("Add lots, units or cases"),
        required=False,
        widget=CODES_WIDGET,
        help_text=_("One per line: type a lot or serial number, or scan the label."),
    )
    remove = forms.MultipleChoiceField(
        label=_("Remove from the roots"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("Reason for the change"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, recall: Recall, roots: list[TraceObject], **kwargs):
        kwargs.setdefault("auto_id", "id_rescope_%s")
        super().__init__(*args, **kwargs)
        self.user, self.recall, self.roots = user, recall, {root.pk: root for root in roots}
        self.fields["remove"].choices = [(str(root.pk), object_label(root)) for root in roots]

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["add"] = parse_codes(self.user, cleaned.get("add") or "", self.recall.site)
        except ValidationError as error:
            self.add_error("add", error)
        cleaned["remove"] = [self.roots[int(pk)] for pk in cleaned.get("remove") or []]
        return cleaned
