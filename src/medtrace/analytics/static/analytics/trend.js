// A complaint trend with the vendored ECharts: complaints per month as bars and the rate per
// 1,000 units shipped as a line against the baseline rate, the current months shaded; under
// it the CUSUM of the current months against its decision interval h. Zoom, tooltips, the
// toolbox saves a PNG, and a click on a month opens the complaints it counts. The data is the
// page's #trend-data (the same as the API's); the table on the page lists every month.
(function () {
  "use strict";

  const charts = window.medtraceCharts;
  const RED = charts.colours.red;
  const BLUE = charts.colours.blue;
  const GREY = charts.colours.grey;

  function trendChart(element, data, labels) {
    const current = [[{ xAxis: data.months[data.baseline] }, { xAxis: data.months[data.months.length - 1] }]];
    const baselineLine = data.baseline_rate === null ? [] : [{
      yAxis: data.baseline_rate,
      name: labels.baseline,
      lineStyle: { color: GREY, type: "dashed" },
      label: { formatter: labels.baseline + " {c}", position: "insideEndTop" },
    }];
    charts.start(element, Object.assign(charts.common(labels, "complaint-trend"), {
      legend: { top: 0, data: [labels.complaints, labels.rate] },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", name: labels.complaints, minInterval: 1 },
        { type: "value", name: labels.rate, position: "right" },
      ],
      series: [
        {
          name: labels.complaints,
          type: "bar",
          data: data.counts,
          itemStyle: { color: charts.colours.bar },
          markArea: { silent: true, itemStyle: { color: "rgba(180, 35, 24, 0.06)" }, data: current },
        },
        {
          name: labels.rate,
          type: "line",
          yAxisIndex: 1,
          data: data.rates,
          connectNulls: false,
          lineStyle: { color: BLUE },
          itemStyle: { color: BLUE },
          markLine: { symbol: "none", silent: true, data: baselineLine },
        },
      ],
    }), (index) => data.urls[index]);
  }

  function cusumChart(element, data, labels) {
    charts.start(element, Object.assign(charts.common(labels, "complaint-cusum"), {
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: labels.cusum, max: (value) => Math.max(value.max, data.h) * 1.1 },
      series: [{
        name: labels.cusum,
        type: "line",
        data: data.cusum.map((value) => value === null ? null : {
          value: value,
          itemStyle: { color: value > data.h ? RED : BLUE },
          symbolSize: value > data.h ? 9 : 5,
        }),
        lineStyle: { color: BLUE, width: 1 },
        markLine: {
          symbol: "none",
          silent: true,
          data: [{ yAxis: data.h, name: labels.h, lineStyle: { color: RED }, label: { formatter: "h {c}", position: "insideEndTop" } }],
        },
      }],
    }));
  }

  function draw() {
    const data = charts.read("trend-data");
    const labels = charts.read("trend-labels");
    if (!data || !window.echarts) return;
    trendChart(document.getElementById("trend-chart"), data, labels);
    const cusum = document.getElementById("trend-cusum");
    if (cusum && data.cusum.length) cusumChart(cusum, data, labels);
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
