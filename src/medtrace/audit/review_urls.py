from django.urls import path

from medtrace.audit import review_views

app_name = "audit-reviews"

urlpatterns = [
    path("", review_views.review_list, name="list"),
    path("new/", review_views.review_create, name="create"),
    path("<int:pk>/", review_views.review_detail, name="detail"),
    path("<int:pk>/amend/", review_views.review_amend, name="amend"),
    path("<int:pk>/pdf/", review_views.review_pdf, name="pdf"),
]
