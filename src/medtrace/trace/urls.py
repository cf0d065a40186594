from django.urls import path, register_converter

from medtrace.trace import views

app_name = "trace"


class DirectionConverter:
    regex = "forward|backward"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DirectionConverter, "trace_direction")

urlpatterns = [
    path("", views.scan, name="scan"),
    path("objects/<int:pk>/", views.object_detail, name="object"),
    path("objects/<int:pk>/graph.json", views.graph_json, name="graph"),
    path("objects/<int:pk>/<trace_direction:direction>/", views.trace_panel, name="panel"),
    path("objects/<int:pk>/<trace_direction:direction>.csv", views.trace_csv, name="csv"),
    path("objects/<int:pk>/<trace_direction:direction>.pdf", views.trace_pdf, name="pdf"),
]
