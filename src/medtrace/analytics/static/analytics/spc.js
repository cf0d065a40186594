// A control chart with the vendored ECharts: the plotted values against the center line and
// control limits (the specification limits dashed), the points of a broken Nelson rule in
// red, the spread chart under it; zoom, tooltips, a click opens the point's record, and the
// toolbox saves a PNG. The data is the page's #spc-data (the same as the API's); the table on
// the page lists every point for readers who cannot see the chart.
(function () {
  "use strict";

  const charts = window.medtraceCharts;
  const RED = charts.colours.red;
  const BLUE = charts.colours.blue;
  const GREY = charts.colours.grey;

  function line(value, name, colour, dashed) {
    if (value === null || value === undefined) return null;
    return {
      yAxis: value,
      name: name,
      lineStyle: { color: colour, type: dashed ? "dashed" : "solid" },
      label: { formatter: name + " {c}", position: "insideEndTop" },
    };
  }

  function lines(limits, labels, spec) {
    const found = [
      line(limits.center, labels.center, GREY, false),
      line(limits.upper, labels.ucl, RED, false),
      line(limits.lower, labels.lcl, RED, false),
    ];
    if (spec) {
      found.push(line(spec.upper, labels.usl, BLUE, true), line(spec.lower, labels.lsl, BLUE, true));
    }
    return found.filter(Boolean);
  }

  function broken(data) {
    const rules = new Map();
    for (const violation of data.violations) {
      for (const index of violation.points) {
        if (!rules.has(index)) rules.set(index, []);
        rules.get(index).push(violation.rule);
      }
    }
    return rules;
  }

  // The axis spans the points and every line drawn (ECharts leaves out a mark line beyond it).
  function bounds(values, limits, spec) {
    const all = values.concat([limits.lower, limits.upper]);
    if (spec) all.push(spec.lower, spec.upper);
    const shown = all.filter((value) => value !== null && value !== undefined);
    const low = Math.min(...shown);
    const high = Math.max(...shown);
    const pad = (high - low) * 0.05 || Math.abs(high) * 0.05 || 1;
    return { min: +(low - pad).toPrecision(6), max: +(high + pad).toPrecision(6) };
  }

  function chart(element, data, labels, values, limits, spec, rules) {
    const axis = bounds(values, limits, spec);
    const categories = data.points.map((point, index) => String(index + 1));
    charts.start(element, Object.assign(charts.common(labels, "spc", { right: 90, top: 30 }), {
      tooltip: {
        trigger: "axis",
        formatter: (params) => {
          const index = params[0].dataIndex;
          const point = data.points[index];
          const rule = rules && rules.has(index) ? `<br>${labels.broken}: ${rules.get(index).join(", ")}` : "";
          return `#${index + 1} ${point.label}<br>${labels.lot}: ${point.lot || "–"}<br>${point.at.slice(0, 16)}<br>${params[0].seriesName}: ${params[0].value}${rule}`;
        },
      },
      xAxis: { type: "category", data: categories },
      yAxis: { type: "value", min: axis.min, max: axis.max, name: data.unit },
      series: [
        {
          name: spec ? labels.value : labels.spread,
          type: "line",
          data: values.map((value, index) => ({
            value: value,
            itemStyle: { color: rules && rules.has(index) ? RED : BLUE },
            symbolSize: rules && rules.has(index) ? 9 : 5,
          })),
          lineStyle: { color: BLUE, width: 1 },
          markLine: { symbol: "none", silent: true, data: lines(limits, labels, spec) },
        },
      ],
    }), (index) => data.points[index] && data.points[index].url);
  }

  function draw() {
    const data = charts.read("spc-data");
    const labels = charts.read("spc-labels");
    if (!data || !window.echarts) return;
    chart(
      document.getElementById("spc-location"), data, labels,
      data.points.map((point) => point.value), data.location, data.specification, broken(data),
    );
    const above = new Map(data.spread_above.map((index) => [index, [labels.above]]));
    chart(
      document.getElementById("spc-spread"), data, labels,
      data.points.map((point) => point.spread), data.spread, null, above,
    );
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
