// What every analytics chart shares: the colours, the page's JSON data, the options every chart
// has (no animation, zoom inside and by slider, tooltips, the toolbox's PNG and zoom), a click
// on a point opening its record, and redrawing when the window is resized.
window.medtraceCharts = (function () {
  "use strict";

  const colours = { red: "#b42318", blue: "#0b6e99", grey: "#5f6b7a", bar: "#9db4c8" };

  function read(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function common(labels, name, grid) {
    return {
      animation: false,
      grid: Object.assign({ left: 60, right: 70, top: 40, bottom: 60 }, grid || {}),
      toolbox: { feature: { saveAsImage: { title: labels.image, name: name }, dataZoom: {} } },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 10 }],
      tooltip: { trigger: "axis" },
    };
  }

  // `urlOf(index)` is the page a click on the index-th point opens (none: nothing happens).
  function start(element, options, urlOf) {
    const instance = window.echarts.init(element, null, { renderer: "canvas" });
    instance.setOption(options);
    if (urlOf) {
      instance.on("click", (params) => {
        const url = urlOf(params.dataIndex);
        if (url) window.location.assign(url);
      });
    }
    window.addEventListener("resize", () => instance.resize());
    return instance;
  }

  return { colours: colours, read: read, common: common, start: start };
})();
