from django.urls import path

from medtrace.changes import views

app_name = "changes"

urlpatterns = [
    path("", views.change_list, name="change-list"),
    path("new/", views.change_create, name="change-create"),
    path("<int:pk>/", views.change_detail, name="change-detail"),
    path("<int:pk>/edit/", views.change_edit, name="change-edit"),
    path("<int:pk>/scope/", views.change_scope, name="change-scope"),
    path("<int:pk>/tasks/", views.task_add, name="task-add"),
    path("<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="task-done"),
    path("<int:pk>/actions/<str:action>/", views.change_transition, name="change-transition"),
]
