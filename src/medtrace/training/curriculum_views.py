"""Curricula: the list, a curriculum's page, and the forms that create and change one (roles,
named members, documents, requalification interval). Whoever a change newly covers is
assigned training by the service."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.training import selectors
from medtrace.training.forms import CurriculumForm
from medtrace.training.services import curricula as services

VIEW = "training.view_curriculum"
ADD = "training.add_curriculum"
CHANGE = "training.change_curriculum"


def _choices(user, curriculum=None) -> dict:
    """The documents the user may list, and the organization's active people."""
    return {
        "documents": selectors.listable_documents(user, curriculum),
        "people": get_user_model().objects.filter(
            organization_id=user.organization_id, is_active=True
        ),
    }


@perm_required(VIEW)
def curriculum_list(request):
    found = selectors.visible_curricula(request.user).prefetch_related("documents", "members")
    if request.site is not None:
        found = found.filter(site=request.site)
    show_inactive = request.GET.get("inactive") == "1"
    if not show_inactive:
        found = found.filter(is_active=True)
    page = paginate(request, found.order_by("site__code", "code"))
    for curriculum in page.object_list:
        curriculum.role_labels = selectors.role_labels(curriculum.roles)
    context = {
        "page": page,
        "show_inactive": show_inactive,
        "can_add": request.user.has_perm(ADD),
    }
    return render(request, "training/curriculum_list.html", context)


@perm_required(VIEW)
def curriculum_detail(request, pk: int):
    curriculum = selectors.get_curriculum_or_404(request.user, pk)
    curriculum.role_labels = selectors.role_labels(curriculum.roles)
    context = {
        "curriculum": curriculum,
        "documents": curriculum.documents.order_by("number"),
        "members": curriculum.members.order_by("full_name", "username"),
        "can_change": request.user.has_perm(CHANGE, curriculum),
    }
    return render(request, "training/curriculum_detail.html", context)


@perm_required(ADD)
def curriculum_create(request):
    user = request.user
    sites = selectors.sites_with(user, ADD)
    initial = {"site": request.site} if request.site in sites else {}
    form = CurriculumForm(request.POST or None, sites=sites, initial=initial, **_choices(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            curriculum = services.create_curriculum(by=user, **data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Curriculum %(code)s created.") % {"code": curriculum.code})
            return redirect("training:curriculum-detail", curriculum.pk)
    return render(request, "training/curriculum_form.html", {"form": form})


@perm_required(CHANGE)
def curriculum_edit(request, pk: int):
    user = request.user
    curriculum = selectors.get_curriculum_or_404(user, pk, perm=CHANGE)
    form = CurriculumForm(request.POST or None, curriculum=curriculum, **_choices(user, curriculum))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_curriculum(curriculum, by=user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Curriculum %(code)s saved.") % {"code": curriculum.code})
            return redirect("training:curriculum-detail", curriculum.pk)
    context = {"form": form, "curriculum": curriculum}
    return render(request, "training/curriculum_form.html", context)
