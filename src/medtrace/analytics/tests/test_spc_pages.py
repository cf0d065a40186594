"""SPC on real production data: a parameter read three times per work order is charted X̄-R
with limits from a chosen baseline; the hot last order breaks rule 1; the page, its CSV and the
API show the same numbers; a broken rule raises a deviation scoped to the order's lot or a
CAPA from the trend (and nothing is written when the rule named is not broken); another site
sees nothing."""

import csv
import io

import pytest

from medtrace.accounts.roles import Role
from medtrace.analytics import selectors
from medtrace.analytics.analysis import analyse, as_data
from medtrace.analytics.tests.fixtures import MELT, PARAMETER
from medtrace.audit.models import AuditEntry
from medtrace.quality.models import Capa, Deviation

pytestmark = pytest.mark.django_db

CHART = "/analytics/spc/chart/"
RAISE = "/analytics/spc/raise/"
API = "/api/v1/analytics/spc"


def test_a_parameter_is_a_subgroup_per_work_order_in_time_order(melt_readings, qa_a):
    series = selectors.parameter(qa_a, **PARAMETER)
    assert [group.label for group in series.subgroups] == [o.number for o in melt_readings]
    assert [group.values for group in series.subgroups] == [
        [float(value) for value in values] for values in MELT
    ]
    assert (series.lower_limit, series.upper_limit, series.unit) == (220, 240, "°C")
    listed = selectors.parameter_series(qa_a)
    assert [(row["parameter"], row["readings"]) for row in listed] == [("熔体温度", 36)]


def test_limits_from_the_baseline_and_the_hot_order_breaks_rule_one(melt_readings, qa_a):
    analysis = analyse(selectors.parameter(qa_a, **PARAMETER), baseline=11)
    chart = analysis.chart
    assert (chart.kind, chart.subgroup_size, chart.baseline) == ("xbar_r", 3, 11)
    # X̄̄ = 2532.333/11, R̄ = 17/11, A2(3) = 1.023
    assert chart.location.center == pytest.approx(230.2121, abs=1e-3)
    assert chart.location.upper == pytest.approx(230.2121 + 1.023 * 17 / 11, abs=1e-3)
    assert [(v.rule, v.points) for v in analysis.violations] == [(1, (11,))]
    capability = analysis.capability
    assert capability.n == 36 and capability.cp > 1


def test_the_chart_page_table_and_csv_show_the_same_points(client, melt_readings, qa_a):
    client.force_login(qa_a)
    page = client.get(CHART, {**PARAMETER, "baseline": 11})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-chart-kind="xbar_r"' in html
    assert 'data-rule="1"' in html and melt_readings[-1].number in html
    exported = client.get(CHART, {**PARAMETER, "baseline": 11, "format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + len(MELT)
    assert rows[-1][1] == melt_readings[-1].number and rows[-1][4] == "238.0 239.0 239.0"


def test_a_baseline_out_of_range_is_refused_naming_the_range(client, melt_readings, qa_a):
    client.force_login(qa_a)
    html = client.get(CHART, {**PARAMETER, "baseline": 1}).content.decode()
    assert "The baseline is the first 2 to 12 points." in html
    refused = client.get(f"{API}/chart", {**PARAMETER, "baseline": 40})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "validation_error"


def test_the_api_lists_the_series_and_draws_the_chart_the_page_draws(client, melt_readings, qa_a):
    client.force_login(qa_a)
    series = client.get(f"{API}/series").json()
    assert series["parameters"][0]["readings"] == 36 and series["characteristics"] == []
    chart = client.get(f"{API}/chart", {**PARAMETER, "baseline": 11}).json()
    expected = as_data(analyse(selectors.parameter(qa_a, **PARAMETER), 11))
    assert chart == expected
    assert chart["violations"][0]["points"] == [11]
    assert client.get(f"{API}/chart", {**PARAMETER, "parameter": "压力"}).status_code == 404


def test_a_broken_rule_raises_a_deviation_on_the_orders_lot(client, melt_readings, qa_a):
    client.force_login(qa_a)
    response = client.post(
        RAISE, {**PARAMETER, "baseline": 11, "rule": 1, "first": 11, "record": "deviation"}
    )
    deviation = Deviation.objects.get()
    assert response.status_code == 302 and response.url == f"/quality/deviations/{deviation.pk}/"
    assert deviation.kind == "unplanned" and deviation.operation == "注塑"
    assert list(deviation.lots.all()) == [melt_readings[-1].lot]
    assert "Nelson rule 1" in deviation.title and "238.6667" in deviation.description
    assert AuditEntry.objects.filter(object_id=str(deviation.pk), action="create").exists()


def test_a_broken_rule_opens_a_capa_from_the_trend_signal(client, melt_readings, qa_a):
    client.force_login(qa_a)
    created = client.post(
        f"{API}/capa",
        {**PARAMETER, "baseline": 11, "rule": 1, "first_point": 11},
        content_type="application/json",
    )
    assert created.status_code == 201
    capa = Capa.objects.get(number=created.json()["number"])
    assert capa.source == "trend" and capa.site_id == melt_readings[-1].site_id
    assert melt_readings[-1].number in capa.problem_statement
    page = client.post(RAISE, {**PARAMETER, "rule": 1, "first": 11, "baseline": 11,
                               "record": "capa"})  # fmt: skip
    assert page.url == f"/quality/capas/{Capa.objects.latest('pk').pk}/"


def test_a_rule_not_broken_raises_nothing(client, melt_readings, qa_a):
    client.force_login(qa_a)
    api = client.post(
        f"{API}/deviation",
        {**PARAMETER, "baseline": 11, "rule": 2, "first_point": 0},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert "no violation of rule 2 from point 1" in api.json()["error"]["message"]
    page = client.post(RAISE, {**PARAMETER, "rule": 1, "first": 3, "record": "capa"})
    assert page.status_code == 302 and not Deviation.objects.exists()
    assert not Capa.objects.exists()


def test_raising_needs_the_deviation_role(client, melt_readings, operator_a):
    client.force_login(operator_a)
    assert client.get(CHART, PARAMETER).status_code == 200
    denied = client.post(
        f"{API}/deviation",
        {**PARAMETER, "baseline": 11, "rule": 1, "first_point": 11},
        content_type="application/json",
    )
    assert denied.status_code == 403 and not Deviation.objects.exists()


def test_another_site_sees_none_of_it(client, melt_readings, make_user, site_b):
    client.force_login(make_user("qa-b", (site_b, Role.QA_MANAGER)))
    assert "熔体温度" not in client.get("/analytics/spc/").content.decode()
    assert client.get(CHART, PARAMETER).status_code == 404
    assert client.get(f"{API}/series").json()["parameters"] == []
    assert client.get(f"{API}/chart", PARAMETER).status_code == 404


def test_a_subgroup_with_a_wide_range_is_flagged_on_the_spread_chart():
    from datetime import UTC, datetime

    from medtrace.analytics.selectors import Series, Subgroup

    at = datetime(2026, 12, 1, tzinfo=UTC)
    ranges = [1, 2, 1, 2, 1, 2, 1, 2, 1, 12]  # R̄ 2.5, so the UCL is 2.574 * 2.5 = 6.4
    series = Series(
        kind="parameter", title="t", unit="°C", lower_limit=None, target=None, upper_limit=None,
        subgroups=[Subgroup(f"WO-{n}", "/", at, 1, None, "", [230, 230 + r / 2, 230 + r])
                   for n, r in enumerate(ranges)],
    )  # fmt: skip
    analysis = analyse(series)
    assert analysis.spread_above == [9] and analysis.capability is None
    assert as_data(analysis)["spread_above"] == [9]


def test_a_measured_characteristic_is_a_subgroup_per_inspection(
    client, resin_plan, received_lot, inspector_a, balance, qa_a
):
    from decimal import Decimal

    from medtrace.quality.services import inspection as inspections
    from medtrace.quality.tests.test_inspection import start

    weight = resin_plan.characteristics.get(name="Bag weight")
    for shift in ("0.00", "0.05"):
        record = start(resin_plan, received_lot, inspector_a, [balance])
        results = []
        for characteristic in resin_plan.characteristics.all():
            for sample in range(1, inspections.sample_size_of(record, characteristic) + 1):
                if characteristic == weight:
                    value = Decimal("24.95") + Decimal(shift) + Decimal(sample % 5) / 100
                    results.append({"characteristic": weight, "sample": sample, "value": value})
                else:
                    results.append(
                        {"characteristic": characteristic, "sample": sample, "passed": True}
                    )
        inspections.record_results(record, results, by=inspector_a)
    client.force_login(qa_a)
    listed = client.get(f"{API}/series").json()["characteristics"]
    assert [(row["characteristic"], row["plan"]) for row in listed] == [(weight.pk, "IP-PC-IN")]
    chart = client.get(f"{API}/chart", {"characteristic": weight.pk}).json()
    size = chart["subgroup_size"]
    assert chart["chart"] == ("xbar_s" if size > 10 else "xbar_r") and len(chart["points"]) == 2
    assert chart["points"][1]["value"] - chart["points"][0]["value"] == pytest.approx(0.05)
    assert chart["specification"] == {"lower": 24.8, "target": 25.0, "upper": 25.3}
    page = client.get(CHART, {"characteristic": weight.pk})
    kind = chart["chart"]
    assert page.status_code == 200 and f'data-chart-kind="{kind}"' in page.content.decode()
    assert client.get(CHART, {"characteristic": "x"}).status_code == 404


def test_the_api_raises_a_deviation_and_the_page_refuses_a_rule_that_is_no_number(
    client, melt_readings, qa_a
):
    client.force_login(qa_a)
    created = client.post(
        f"{API}/deviation",
        {**PARAMETER, "baseline": 11, "rule": 1, "first_point": 11},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert Deviation.objects.get(number=created.json()["number"]).lots.get() == (
        melt_readings[-1].lot
    )
    refused = client.post(
        RAISE, {**PARAMETER, "rule": "one", "first": 11, "record": "deviation"}, follow=True
    )
    assert "The rule and the first point are whole numbers." in refused.content.decode()
    assert Deviation.objects.count() == 1
