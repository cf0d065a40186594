from django.urls import path

from medtrace.training import assignment_views, curriculum_views, views

app_name = "training"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("mine/", views.my_training, name="my-training"),
    path("assignments/", assignment_views.assignment_list, name="assignment-list"),
    path("assignments/overdue/", assignment_views.overdue_list, name="overdue-list"),
    path("assignments/new/", assignment_views.assignment_create, name="assignment-create"),
    path("assignments/<int:pk>/", assignment_views.assignment_detail, name="assignment-detail"),
    path(
        "assignments/<int:pk>/read-and-understood/",
        views.read_and_understood,
        name="read-and-understood",
    ),
    path(
        "assignments/<int:pk>/instructor-led/",
        assignment_views.instructor_led,
        name="instructor-led",
    ),
    path("curricula/", curriculum_views.curriculum_list, name="curriculum-list"),
    path("curricula/new/", curriculum_views.curriculum_create, name="curriculum-create"),
    path("curricula/<int:pk>/", curriculum_views.curriculum_detail, name="curriculum-detail"),
    path("curricula/<int:pk>/edit/", curriculum_views.curriculum_edit, name="curriculum-edit"),
]
