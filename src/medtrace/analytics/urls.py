from django.urls import path

from . import report_views, risk_views, supplier_views, trend_views, views

app_name = "analytics"

urlpatterns = [
    path("spc/", views.spc_list, name="spc-list"),
    path("spc/chart/", views.spc_chart, name="spc-chart"),
    path("spc/raise/", views.spc_raise, name="spc-raise"),
    path("suppliers/", supplier_views.supplier_quality, name="supplier-quality"),
    path("suppliers/<str:code>/", supplier_views.supplier_trend, name="supplier-trend"),
    path("complaint-trends/", trend_views.trend_list, name="complaint-trends"),
    path("complaint-trends/count/", trend_views.count_shipped, name="count-shipped"),
    path("complaint-trends/<int:pk>/", trend_views.device_trend, name="complaint-trend"),
    path("complaint-trends/<int:pk>/capa/", trend_views.trend_capa, name="complaint-trend-capa"),
    path(
        "complaint-trends/<int:pk>/report.pdf",
        trend_views.trend_report,
        name="complaint-trend-report",
    ),
    path("reports/", report_views.report_list, name="reports"),
    path(
        "reports/<str:kind>.<str:file_format>",
        report_views.report_download,
        name="report-download",
    ),
    path(
        "reports/subscriptions/<int:pk>/stop/",
        report_views.subscription_stop,
        name="report-subscription-stop",
    ),
    path("risk/", risk_views.risk_list, name="risk-list"),
    path("risk/assess/", risk_views.assess_again, name="risk-assess"),
    path("risk/lots/<int:pk>/", risk_views.lot_risk, name="lot-risk"),
    path("risk/lots/<int:pk>/panel/", risk_views.lot_risk_panel, name="lot-risk-panel"),
]
