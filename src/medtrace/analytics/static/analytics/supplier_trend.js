// A supplier's quality quarter by quarter with the vendored ECharts: defective parts per
// million sampled as bars, the acceptance and on-time rates as lines on a 0–100 % axis, the
// latest quarter shaded. A click on a quarter opens its incoming inspections. The data is the
// page's #supplier-trend-data (the same as the API's); the table on the page lists every quarter.
(function () {
  "use strict";

  const charts = window.medtraceCharts;

  function draw() {
    const data = charts.read("supplier-trend-data");
    const labels = charts.read("supplier-trend-labels");
    if (!data || !window.echarts) return;
    const quarters = data.quarters.map((quarter) => quarter.quarter);
    const latest = quarters[quarters.length - 1];
    charts.start(document.getElementById("supplier-trend-chart"), Object.assign(charts.common(labels, "supplier-trend"), {
      legend: { top: 0, data: [labels.ppm, labels.acceptance, labels.on_time] },
      xAxis: { type: "category", data: quarters },
      yAxis: [
        { type: "value", name: labels.ppm, minInterval: 1 },
        { type: "value", name: "%", min: 0, max: 100, position: "right" },
      ],
      series: [
        {
          name: labels.ppm,
          type: "bar",
          data: data.quarters.map((quarter) => quarter.ppm),
          itemStyle: { color: charts.colours.bar },
          markArea: { silent: true, itemStyle: { color: "rgba(180, 35, 24, 0.06)" }, data: [[{ xAxis: latest }, { xAxis: latest }]] },
        },
        {
          name: labels.acceptance,
          type: "line",
          yAxisIndex: 1,
          data: data.quarters.map((quarter) => quarter.acceptance_rate),
          lineStyle: { color: charts.colours.blue },
          itemStyle: { color: charts.colours.blue },
        },
        {
          name: labels.on_time,
          type: "line",
          yAxisIndex: 1,
          data: data.quarters.map((quarter) => quarter.on_time_rate),
          lineStyle: { color: charts.colours.grey, type: "dashed" },
          itemStyle: { color: charts.colours.grey },
        },
      ],
    }), (index) => data.urls[index]);
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
