from django.urls import path

from . import views

app_name = "recall"

urlpatterns = [
    path("", views.recall_list, name="recall-list"),
    path("new/", views.recall_create, name="recall-create"),
    path("<int:pk>/", views.recall_detail, name="recall-detail"),
    path("<int:pk>/rescope/", views.recall_rescope, name="recall-rescope"),
    path("<int:pk>/actions/<str:action>/", views.recall_action, name="recall-action"),
]
