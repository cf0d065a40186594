"""Who receives the management reports by e-mail: the QA manager the weekly quality summary as
a PDF, the buyer the monthly supplier scorecard as an Excel workbook. Nothing is sent while
the demo is built: the daily job sends them once a worker runs (`medtrace demo` runs one)."""

from medtrace.analytics import report_services
from medtrace.analytics.choices import ReportFormat, ReportKind
from medtrace.demo.plant import DemoPlant


def build_report_subscriptions(demo: DemoPlant) -> None:
    report_services.subscribe(
        by=demo.users["qa"], report=ReportKind.WEEKLY_QUALITY, file_format=ReportFormat.PDF
    )
    report_services.subscribe(
        by=demo.users["buyer"], report=ReportKind.MONTHLY_SUPPLIERS, file_format=ReportFormat.XLSX
    )
