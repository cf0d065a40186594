"""The Django admin (a raw-data browser for system administrators): its lists and record pages
under the same rule as every other page."""

import pytest
from django.apps import apps
from django.contrib import admin

from medtrace.core.admin import administered

from .probe import text_of

REGISTERED = sorted(
    f"{model._meta.app_label}/{model._meta.model_name}" for model in admin.site._registry
)


@pytest.mark.parametrize("model", REGISTERED)
def test_an_admin_list_names_nothing_of_another_site_or_organization(
    model, client, people, markers
):
    for user, seen in (
        (people.foreigner, markers.seen_by_foreigner),
        (people.neighbour, markers.seen_by_neighbour),
    ):
        client.force_login(user)
        response = client.get(f"/admin/{model}/")
        assert response.status_code == 200, f"{model} as {user}: {response}"
        text = text_of(response)
        assert seen(text.replace(MENTIONS.get(model, "\0"), "")) == [], f"{model} as {user}"


@pytest.mark.parametrize("model", REGISTERED)
def test_an_admin_record_of_another_site_or_organization_is_not_found(model, client, people):
    """The admin answers a row it does not show as one that does not exist: back to its index
    with "does not exist"; the insider, a system administrator at the demo sites, reads it."""
    rows = apps.get_model(model.replace("/", "."))._default_manager.all()
    owner = admin.site._registry[rows.model].owner
    found = administered(rows, people.insider, owner)
    found = found.exclude(pk__in=administered(rows, people.foreigner, owner).values("pk")).first()
    assert found is not None, f"the demo plant has no {model} of its own"
    url = f"/admin/{model}/{found.pk}/change/"
    outsiders = [people.foreigner] + ([] if model in ORGANIZATION_WIDE else [people.neighbour])
    for outsider in outsiders:
        client.force_login(outsider)
        response = client.get(url)
        assert (response.status_code, response.get("Location")) == (302, "/admin/"), (
            f"{url} as {outsider}: {response}"
        )
    client.force_login(people.insider)
    assert client.get(url).status_code == 200


# A supplier audit's finding names the CAPA it raised (as the partners' pages do).
MENTIONS = {"partners/auditfinding": "CAPA-2026-0001"}

# Records of the whole organization, which the neighbour (a system administrator at another site
# of it) may read in the admin as on every page.
ORGANIZATION_WIDE = {
    "accounts/apitoken", "accounts/user", "catalog/deviceidentifier",
    "catalog/deviceidentifierversion", "catalog/item", "org/organization", "org/site",
    "jobs/job", "jobs/joblogline", "partners/approvedsource", "partners/auditfinding",
    "partners/customer", "partners/qualificationdecision", "partners/supplier",
    "partners/supplieraudit", "partners/suppliercertificate", "partners/supplierevaluation",
}  # fmt: skip


def test_every_admin_model_is_in_the_matrix():
    """A model newly registered in the admin must be looked at here (and scoped) too."""
    assert sorted(ADMIN_MODELS) == REGISTERED


ADMIN_MODELS = [
    "accounts/apitoken", "accounts/user", "catalog/deviceidentifier",
    "catalog/deviceidentifierversion", "catalog/item", "equipment/calibrationrecord",
    "equipment/equipment", "equipment/impactreview", "equipment/maintenanceplan",
    "equipment/maintenancerecord", "jobs/job", "jobs/joblogline", "org/location",
    "org/membership", "org/organization", "org/site", "partners/approvedsource",
    "partners/auditfinding", "partners/customer", "partners/qualificationdecision",
    "partners/supplier", "partners/supplieraudit", "partners/suppliercertificate",
    "partners/supplierevaluation",
]  # fmt: skip
