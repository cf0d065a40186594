from django.urls import include, path

from medtrace.documents import revision_views, views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="document-list"),
    path("new/", views.document_create, name="document-create"),
    path("routes/", views.approval_routes, name="approval-routes"),
    path("<int:pk>/", views.document_detail, name="document-detail"),
    path("<int:pk>/edit/", views.document_edit, name="document-edit"),
    path("<int:pk>/revisions/new/", views.revision_create, name="revision-create"),
    path("<int:pk>/review/", views.periodic_review, name="periodic-review"),
    path("revisions/<int:pk>/", revision_views.revision_detail, name="revision-detail"),
    path("revisions/<int:pk>/edit/", revision_views.revision_edit, name="revision-edit"),
    path(
        "revisions/<int:pk>/actions/<str:name>/",
        revision_views.revision_action,
        name="revision-action",
    ),
    path("revisions/<int:pk>/print/", revision_views.print_copy, name="revision-print"),
    path("revisions/<int:pk>/file/", revision_views.revision_file, name="revision-file"),
    path("generated/", include("medtrace.documents.generation_urls")),
]
