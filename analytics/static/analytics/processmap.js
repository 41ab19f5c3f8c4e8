/* Interactive process map: our own small vanilla-JS renderer (no library, no CDN).
 * Reads the map JSON (activities, edges, start/end activities) from #process-map-data,
 * lays activities out in ranks by breadth-first distance from the start, draws SVG, and
 * offers a minimum-frequency slider, a metric switch and node selection. */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  // Texts in the page's language, from #process-map-labels (German if missing).
  var T = {
    min_edges: "Mindesthäufigkeit der Kanten", label: "Beschriftung", count: "Anzahl",
    mean: "Dauer Mittelwert", median: "Dauer Median", p90: "Dauer 90. Perzentil",
    hint: "Klicken Sie auf eine Aktivität, um ihre Übergänge hervorzuheben.",
    none: "Keine Aktivität ausgewählt.",
    selected: "{name}: {events} Ereignisse, {in} Übergänge hinein, {out} hinaus.",
    map: "Interaktive Prozesslandkarte", start: "Start", end: "Ende",
    minutes: "%(value)s min", hours: "%(value)s h", days: "%(value)s Tage", decimal: ","
  };
  var labelSource = document.getElementById("process-map-labels");
  if (labelSource) {
    var given = JSON.parse(labelSource.textContent);
    Object.keys(given).forEach(function (k) { T[k] = given[k]; });
  }
  var START = "\u25B6 " + T.start, END = "\u25A0 " + T.end;

  function text(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, k) { return String(values[k]); });
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVGNS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function duration(s) {
    if (s === null || s === undefined) return "–";
    if (s < 3600) return T.minutes.replace("%(value)s", String(Math.round(s / 60)));
    if (s < 172800) return T.hours.replace("%(value)s", (s / 3600).toFixed(1).replace(".", T.decimal));
    return T.days.replace("%(value)s", (s / 86400).toFixed(1).replace(".", T.decimal));
  }

  function layout(data) {
    var names = Object.keys(data.activities);
    var edges = data.edges.slice();
    Object.keys(data.start_activities).forEach(function (a) {
      if (a in data.activities) edges.push({ source: START, target: a, count: data.start_activities[a], virtual: true });
    });
    Object.keys(data.end_activities).forEach(function (a) {
      if (a in data.activities) edges.push({ source: a, target: END, count: data.end_activities[a], virtual: true });
    });
    var rank = {}; rank[START] = 0;
    var queue = [START], out = {};
    edges.forEach(function (e) { (out[e.source] = out[e.source] || []).push(e); });
    while (queue.length) {
      var n = queue.shift();
      (out[n] || []).sort(function (a, b) { return b.count - a.count; }).forEach(function (e) {
        if (e.target !== END && !(e.target in rank)) { rank[e.target] = rank[n] + 1; queue.push(e.target); }
      });
    }
    var maxRank = 0;
    names.forEach(function (a) { if (!(a in rank)) rank[a] = 1; maxRank = Math.max(maxRank, rank[a]); });
    rank[END] = maxRank + 1;
    var rows = {};
    [START].concat(names, [END]).forEach(function (a) { (rows[rank[a]] = rows[rank[a]] || []).push(a); });
    var pos = {}, width = 920, rowH = 90;
    Object.keys(rows).forEach(function (r) {
      var row = rows[r].sort(function (a, b) { return (data.activities[b] || 0) - (data.activities[a] || 0); });
      row.forEach(function (a, i) { pos[a] = { x: (i + 1) * width / (row.length + 1), y: 40 + r * rowH }; });
    });
    return { edges: edges, pos: pos, rank: rank, height: 80 + (maxRank + 1) * rowH, width: width };
  }

  function render(root) {
    var source = document.getElementById("process-map-data");
    if (!root || !source || root.dataset.rendered) return;
    root.dataset.rendered = "1";
    var data = JSON.parse(source.textContent);
    var geo = layout(data);
    var maxCount = geo.edges.reduce(function (m, e) { return Math.max(m, e.count); }, 1);

    var controls = document.createElement("div");
    controls.className = "pm-controls";
    controls.innerHTML =
      '<label>' + escapeHtml(T.min_edges) + ' <input type="range" min="1" max="' + maxCount +
      '" value="1" id="pm-min"> <output id="pm-min-out">1</output></label>' +
      '<label>' + escapeHtml(T.label) + ' <select id="pm-metric"><option value="count">' +
      escapeHtml(T.count) + '</option><option value="mean_seconds">' + escapeHtml(T.mean) +
      '</option><option value="median_seconds">' + escapeHtml(T.median) + '</option>' +
      '<option value="p90_seconds">' + escapeHtml(T.p90) + '</option></select></label>';
    root.appendChild(controls);
    var info = document.createElement("p");
    info.setAttribute("aria-live", "polite");
    info.id = "pm-info";
    info.textContent = T.hint;
    root.appendChild(info);

    var svg = el("svg", { viewBox: "0 0 " + geo.width + " " + geo.height, role: "img",
      "aria-label": T.map, id: "pm-svg" }, root);
    var defs = el("defs", {}, svg);
    var marker = el("marker", { id: "pm-arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerWidth: "9", markerHeight: "9", markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#667788" }, marker);
    var edgeLayer = el("g", {}, svg), nodeLayer = el("g", {}, svg);
    var edgeEls = geo.edges.map(function (e) {
      var a = geo.pos[e.source], b = geo.pos[e.target];
      var g = el("g", { "class": "pm-edge" }, edgeLayer);
      // Back edges and edges that skip ranks bow sideways so they don't run under nodes.
      var span = geo.rank[e.target] - geo.rank[e.source];
      var back = b.y <= a.y, dx = back ? 90 : (span > 1 ? -150 * (span - 1) : 0);
      var y1 = a.y + (back ? 0 : 16), y2 = b.y - (back ? 0 : 16);
      var mx = (a.x + b.x) / 2 + dx, my = (y1 + y2) / 2;
      el("path", { d: "M" + a.x + "," + y1 + " Q" + mx + "," + my + " " + b.x + "," + y2,
        "stroke-width": 1 + 5 * e.count / maxCount, "marker-end": "url(#pm-arrow)",
        "stroke-dasharray": e.virtual ? "4 3" : "" }, g);
      // The label sits on the curve's midpoint (for a quadratic Bézier: (a + 2c + b) / 4).
      var lx = (a.x + 2 * mx + b.x) / 4 + 4, ly = (y1 + 2 * my + y2) / 4;
      var label = el("text", { x: lx, y: ly, "text-anchor": "start" }, g);
      var title = el("title", {}, g);
      title.textContent = e.source + " → " + e.target + ": " + e.count + "×" +
        (e.virtual ? "" : ", Mittelwert " + duration(e.mean_seconds) + ", Median " + duration(e.median_seconds));
      return { edge: e, g: g, label: label };
    });
    var nodes = [START].concat(Object.keys(data.activities), [END]);
    var nodeEls = {};
    nodes.forEach(function (name) {
      var p = geo.pos[name], virtual = name === START || name === END;
      var g = el("g", { "class": "pm-node" + (virtual ? " pm-virtual" : ""), tabindex: "0",
        role: "button", "data-activity": name }, nodeLayer);
      var text = virtual ? name : name + " (" + data.activities[name] + ")";
      var w = Math.min(220, 12 + text.length * 6.6);
      el("rect", { x: p.x - w / 2, y: p.y - 16, width: w, height: 32, rx: 8 }, g);
      var t = el("text", { x: p.x, y: p.y + 4, "text-anchor": "middle" }, g);
      t.textContent = text;
      nodeEls[name] = g;
      function select() { choose(name); }
      g.addEventListener("click", select);
      g.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(); } });
    });

    var minInput = controls.querySelector("#pm-min"), metric = controls.querySelector("#pm-metric");
    var selected = null;
    function update() {
      var min = +minInput.value, m = metric.value;
      controls.querySelector("#pm-min-out").textContent = min;
      edgeEls.forEach(function (x) {
        var visible = x.edge.count >= min;
        x.g.style.display = visible ? "" : "none";
        x.label.textContent = m === "count" || x.edge.virtual ? String(x.edge.count) : duration(x.edge[m]);
        var hot = selected && (x.edge.source === selected || x.edge.target === selected);
        x.g.classList.toggle("pm-hot", !!hot);
        x.g.classList.toggle("pm-dim", !!selected && !hot);
      });
    }
    function choose(name) {
      selected = selected === name ? null : name;
      Object.keys(nodeEls).forEach(function (n) { nodeEls[n].classList.toggle("pm-selected", n === selected); });
      if (selected) {
        var ins = 0, outs = 0;
        geo.edges.forEach(function (e) { if (e.target === name) ins += e.count; if (e.source === name) outs += e.count; });
        info.textContent = text(T.selected,
          { name: name, events: data.activities[name] || "–", "in": ins, out: outs });
      } else {
        info.textContent = T.none;
      }
      update();
    }
    minInput.addEventListener("input", update);
    metric.addEventListener("change", update);
    if (root.dataset.metric === "performance") metric.value = "mean_seconds";
    update();
  }

  function init() { render(document.getElementById("process-map-interactive")); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  document.addEventListener("htmx:afterSettle", init);
})();
