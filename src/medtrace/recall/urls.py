from django.urls import path

from . import notice_views, recovery_views, report_views, views

app_name = "recall"

urlpatterns = [
    path("", views.recall_list, name="recall-list"),
    path("new/", views.recall_create, name="recall-create"),
    path("<int:pk>/", views.recall_detail, name="recall-detail"),
    path("<int:pk>/rescope/", views.recall_rescope, name="recall-rescope"),
    path("<int:pk>/actions/<str:action>/", views.recall_action, name="recall-action"),
    path("<int:pk>/notices/prepare/", notice_views.notices_prepare, name="notices-prepare"),
    path("<int:pk>/notices/send/", notice_views.notices_send, name="notices-send"),
    path("<int:pk>/notices/add/", notice_views.notice_add, name="notice-add"),
    path("<int:pk>/notices/<int:notice>/", notice_views.notice_detail, name="notice-detail"),
    path("<int:pk>/notices/<int:notice>/resend/", notice_views.notice_resend, name="notice-resend"),
    path(
        "<int:pk>/notices/<int:notice>/letter.pdf",
        notice_views.notice_letter,
        name="notice-letter",
    ),
    path(
        "<int:pk>/notices/<int:notice>/<str:action>/",
        notice_views.notice_action,
        name="notice-action",
    ),
    path("acknowledge/<str:token>/", notice_views.acknowledge, name="acknowledge"),
    path("<int:pk>/capa/", recovery_views.link_capa, name="recall-capa"),
    path("<int:pk>/hold/", recovery_views.hold_what_came_back, name="recall-hold"),
    path("<int:pk>/drill-report/", recovery_views.drill_report, name="drill-report"),
    path("<int:pk>/drill-report.pdf", recovery_views.drill_report_pdf, name="drill-report-pdf"),
    path("<int:pk>/reports/<slug:kind>.pdf", report_views.recall_report, name="recall-report"),
]
