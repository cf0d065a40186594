from django.urls import path

from medtrace.integration import views

app_name = "integration"

urlpatterns = [
    path("", views.subscription_list, name="subscription-list"),
    path("new/", views.subscription_create, name="subscription-create"),
    path("<int:pk>/", views.subscription_detail, name="subscription-detail"),
    path("<int:pk>/edit/", views.subscription_edit, name="subscription-edit"),
    path("<int:pk>/activity/", views.subscription_activity, name="subscription-activity"),
    path("<int:pk>/rotate-secret/", views.subscription_rotate, name="subscription-rotate"),
    path("<int:pk>/test/", views.subscription_test, name="subscription-test"),
    path("<int:pk>/deliveries/<int:sequence>/", views.delivery_detail, name="delivery-detail"),
    path(
        "<int:pk>/deliveries/<int:sequence>/redeliver/",
        views.delivery_redeliver,
        name="delivery-redeliver",
    ),
    path("queries/", views.query_list, name="query-list"),
    path("queries/new/", views.query_create, name="query-create"),
    path("queries/<int:pk>/retire/", views.query_retire, name="query-retire"),
]
