// The genealogy graph of a trace panel, drawn with the vendored ECharts: objects in columns by
// their distance from the traced one (forward to the right, backward to the left; on a narrow
// screen in rows, downwards and upwards), coloured by kind, a red ring for a status that stops
// use, large generations as groups (trace.graph). A click opens the object's page, from which
// the trace goes on: that is how a reader expands the graph forward or backward.
(function () {
  "use strict";

  const COLOURS = { lot: "#0b6e99", unit: "#1f7a3a", container: "#c07a00", party: "#7a3fa0" };
  const RING = { bad: "#b42318", warn: "#d08a00" };
  const SYMBOLS = { lot: "circle", unit: "circle", container: "rect", party: "diamond" };
  const STEP = 240; // between generations
  const SIBLING = 46; // between objects of one generation
  const NARROW = 600; // px: below this, generations run down the screen
  const LABELS_UP_TO = 40; // rows in the tallest column; beyond, names show on hover

  function note(element, text) {
    const after = element.nextElementSibling;
    if (after && after.classList.contains("trace-graph-note")) after.textContent = text;
  }

  function place(nodes, direction, vertical) {
    const columns = new Map();
    for (const node of nodes) {
      if (!columns.has(node.depth)) columns.set(node.depth, []);
      columns.get(node.depth).push(node);
    }
    const sign = direction === "backward" ? -1 : 1;
    const order = Object.keys(COLOURS);
    let tallest = 0;
    for (const [depth, column] of columns) {
      column.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.label.localeCompare(b.label));
      column.forEach((node, index) => {
        const along = sign * depth * (vertical ? STEP / 2 : STEP);
        const across = (index - (column.length - 1) / 2) * (vertical ? STEP / 2 : SIBLING);
        node.x = vertical ? across : along;
        node.y = vertical ? along : across;
      });
      tallest = Math.max(tallest, column.length);
    }
    return tallest;
  }

  // Where the drawing goes in the element: its proportions kept, room left for the labels
  // (right of the nodes, or under them on a narrow screen) and for the legend.
  function box(element, nodes, vertical) {
    const xs = nodes.map((node) => node.x);
    const ys = nodes.map((node) => node.y);
    const wide = Math.max(...xs) - Math.min(...xs);
    const tall = Math.max(...ys) - Math.min(...ys);
    const margin = vertical ? { left: 50, right: 50, top: 20, bottom: 80 } : { left: 30, right: 210, top: 20, bottom: 50 };
    const room = {
      width: Math.max(element.clientWidth - margin.left - margin.right, 40),
      height: Math.max(element.clientHeight - margin.top - margin.bottom, 40),
    };
    const scale = Math.min(wide ? room.width / wide : Infinity, tall ? room.height / tall : Infinity, 1.5);
    const width = Number.isFinite(scale) ? Math.max(wide * scale, 1) : 1;
    const height = Number.isFinite(scale) ? Math.max(tall * scale, 1) : 1;
    return {
      left: margin.left + (room.width - width) / 2,
      top: margin.top + (room.height - height) / 2,
      width: width,
      height: height,
      scale: Number.isFinite(scale) ? scale : 1,
    };
  }

  // Invisible points that keep the drawing at least two rows tall and wide: ECharts stretches
  // a drawing with no height (one row of nodes) out of shape.
  function padding(nodes) {
    const xs = nodes.map((node) => node.x);
    const ys = nodes.map((node) => node.y);
    const [left, right, top, bottom] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const points = [];
    if (bottom - top < 2 * SIBLING) {
      const middle = (top + bottom) / 2;
      points.push({ x: left, y: middle - SIBLING }, { x: left, y: middle + SIBLING });
    }
    if (right - left < 2 * SIBLING) {
      const middle = (left + right) / 2;
      points.push({ x: middle - SIBLING, y: top }, { x: middle + SIBLING, y: top });
    }
    return points;
  }

  function render(element, graph) {
    const encode = window.echarts.format.encodeHTML;
    const vertical = element.clientWidth < NARROW;
    const tallest = place(graph.nodes, graph.direction, vertical);
    const pads = padding(graph.nodes);
    const { scale, ...where } = box(element, graph.nodes.concat(pads), vertical);
    // a label may take the room between two generations, no more
    const labelWidth = Math.max(60, Math.min(190, (vertical ? STEP / 2 : STEP) * scale - 24));
    const short = vertical || labelWidth < 150; // lot number, serial, SSCC: the telling part
    const kinds = graph.categories.map((category) => category.kind);
    const index = new Map(graph.nodes.map((node, position) => [node.id, position]));
    const chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: {
        confine: true,
        formatter: (item) =>
          item.dataType === "edge"
            ? encode(item.data.label)
            : encode(item.data.full) + (item.data.status ? "<br>" + encode(item.data.status) : ""),
      },
      legend: { bottom: 0, data: graph.categories.map((category) => category.name) },
      series: [
        {
          type: "graph",
          layout: "none",
          roam: true,
          ...where,
          categories: graph.categories.map((category) => ({
            name: category.name,
            itemStyle: { color: COLOURS[category.kind] },
            symbol: SYMBOLS[category.kind],
          })),
          data: graph.nodes.map((node) => ({
            id: node.id, // names may repeat (two parties of one name); ids do not
            name: short ? node.short : node.label,
            full: node.label,
            x: node.x,
            y: node.y,
            category: kinds.indexOf(node.kind),
            symbol: SYMBOLS[node.kind],
            symbolSize: node.root ? 24 : 14 + Math.min(4 * Math.log2(node.count), 20),
            itemStyle: RING[node.status_class]
              ? { borderColor: RING[node.status_class], borderWidth: 3 }
              : node.root
                ? { borderColor: "#12324a", borderWidth: 3 }
                : {},
            label: node.root ? { show: true, fontWeight: "bold" } : undefined,
            url: node.url,
            status: node.status,
            cursor: node.url ? "pointer" : "default",
          })).concat(
            pads.map((point, position) => ({
              id: "pad-" + position,
              name: "",
              x: point.x,
              y: point.y,
              symbolSize: 0,
              silent: true,
              label: { show: false },
              tooltip: { show: false },
            })),
          ),
          links: graph.edges
            .filter((edge) => index.has(edge.source) && index.has(edge.target))
            .map((edge) => ({
              source: index.get(edge.source),
              target: index.get(edge.target),
              label: edge.label,
            })),
          edgeSymbol: ["none", "arrow"],
          edgeSymbolSize: 7,
          label: {
            show: tallest <= (vertical ? LABELS_UP_TO / 5 : LABELS_UP_TO),
            position: vertical ? "bottom" : "right",
            fontSize: 11,
            width: labelWidth,
            overflow: vertical ? "break" : "truncate",
          },
          lineStyle: { color: "#9aa7b4", width: 1.2, curveness: 0.08 },
          emphasis: { focus: "adjacency", label: { show: true } },
        },
      ],
    });
    chart.on("click", (item) => {
      if (item.dataType === "node" && item.data.url) window.location.assign(item.data.url);
    });
    element.dataset.nodes = String(graph.nodes.length);
    const notes = [];
    if (graph.grouped) notes.push(element.dataset.groupedNote);
    if (graph.truncated) notes.push(element.dataset.truncatedNote);
    note(element, notes.join(" "));
  }

  function draw(element) {
    if (element.dataset.ready) return;
    element.dataset.ready = "loading";
    if (!window.echarts) {
      note(element, element.dataset.failedNote);
      return;
    }
    fetch(element.dataset.graphUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then((graph) => {
        render(element, graph);
        element.dataset.ready = "drawn";
      })
      .catch(() => note(element, element.dataset.failedNote));
  }

  function drawAll(root) {
    (root || document).querySelectorAll(".trace-graph").forEach(draw);
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    event.target.querySelectorAll(".trace-graph").forEach((element) => {
      const chart = window.echarts && window.echarts.getInstanceByDom(element);
      if (chart) chart.dispose();
    });
  });
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
  window.addEventListener("resize", () => {
    document.querySelectorAll(".trace-graph").forEach((element) => {
      const chart = window.echarts && window.echarts.getInstanceByDom(element);
      if (chart) chart.resize();
    });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => drawAll());
  } else {
    drawAll();
  }
})();
