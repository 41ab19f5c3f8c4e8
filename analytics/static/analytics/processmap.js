/* Interactive process map (no library, no CDN).
 *
 * The map itself is Graphviz's layout (inlined SVG, nodes and edges carry the ids the
 * DOT gave them: pm-n<i>, pm-e<i>, pm-s<i>/pm-x<i> for start/end edges), so labels do not
 * overlap. When Graphviz is missing on the server, a small fallback layout is drawn here
 * with the same ids. On top of either:
 *  - two frequency filters as Disco has them: activities below a count disappear with their
 *    edges, edges below a count disappear (range inputs: arrow keys, Home/End);
 *  - a label switch (count or durations), node selection (click, Enter, Space);
 *  - zoom and pan: buttons, keyboard on the focused map (arrows, + and −, 0), dragging.
 * The first view shows the map at a readable scale, not shrunk to the page width.
 * Data (activities, edges, start/end activities) from #process-map-data, texts from
 * #process-map-labels. */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var T = {
    min_edges: "Übergänge ab Häufigkeit", min_activities: "Aktivitäten ab Häufigkeit",
    label: "Beschriftung", count: "Anzahl",
    mean: "Dauer Mittelwert", median: "Dauer Median", p90: "Dauer 90. Perzentil",
    hint: "Klicken Sie auf eine Aktivität, um ihre Übergänge hervorzuheben.",
    none: "Keine Aktivität ausgewählt.",
    selected: "{name}: {events} Ereignisse, {in} Übergänge hinein, {out} hinaus.",
    shown: "{activities} von {all_activities} Aktivitäten und {edges} von {all_edges} Übergängen sichtbar.",
    map: "Interaktive Prozesslandkarte",
    map_keys: "Pfeiltasten verschieben die Karte, Plus und Minus zoomen, 0 zeigt die ganze Karte.",
    zoom_in: "Vergrößern", zoom_out: "Verkleinern", zoom_reset: "Ganze Karte",
    events: "{n} Ereignisse",
    start: "Start", end: "Ende",
    minutes: "%(value)s min", hours: "%(value)s h", days: "%(value)s Tage", decimal: ","
  };
  var labelSource = document.getElementById("process-map-labels");
  if (labelSource) {
    var given = JSON.parse(labelSource.textContent);
    Object.keys(given).forEach(function (k) { T[k] = given[k]; });
  }
  var START = "\u25B6 " + T.start, END = "\u25A0 " + T.end;

  function fill(template, values) {
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

  /* The map's nodes and edges with the ids the server's DOT uses (rendering.py). */
  function model(data) {
    var names = Object.keys(data.activities);
    var nodes = [{ name: START, id: "pm-start", virtual: true }];
    names.forEach(function (a, i) { nodes.push({ name: a, id: "pm-n" + i, count: data.activities[a] }); });
    nodes.push({ name: END, id: "pm-end", virtual: true });
    var edges = data.edges.map(function (e, i) {
      return { source: e.source, target: e.target, count: e.count, id: "pm-e" + i, data: e };
    });
    var s = 0, x = 0;
    Object.keys(data.start_activities).forEach(function (a) {
      if (a in data.activities) edges.push({ source: START, target: a, count: data.start_activities[a], virtual: true, id: "pm-s" + (s++) });
    });
    Object.keys(data.end_activities).forEach(function (a) {
      if (a in data.activities) edges.push({ source: a, target: END, count: data.end_activities[a], virtual: true, id: "pm-x" + (x++) });
    });
    return { nodes: nodes, edges: edges };
  }

  /* Fallback when the server had no Graphviz: activities in ranks by breadth-first
   * distance from the start, one row per rank. */
  function drawFallback(root, data, m) {
    var rank = {}; rank[START] = 0;
    var queue = [START], out = {};
    m.edges.forEach(function (e) { (out[e.source] = out[e.source] || []).push(e); });
    while (queue.length) {
      var n = queue.shift();
      (out[n] || []).sort(function (a, b) { return b.count - a.count; }).forEach(function (e) {
        if (e.target !== END && !(e.target in rank)) { rank[e.target] = rank[n] + 1; queue.push(e.target); }
      });
    }
    var maxRank = 0, names = Object.keys(data.activities);
    names.forEach(function (a) { if (!(a in rank)) rank[a] = 1; maxRank = Math.max(maxRank, rank[a]); });
    rank[END] = maxRank + 1;
    var rows = {}, widest = 1;
    [START].concat(names, [END]).forEach(function (a) { (rows[rank[a]] = rows[rank[a]] || []).push(a); });
    Object.keys(rows).forEach(function (r) { widest = Math.max(widest, rows[r].length); });
    // Every node gets 240 units of width, so labels (cut at 220) never overlap.
    var pos = {}, width = Math.max(920, widest * 240), rowH = 90;
    Object.keys(rows).forEach(function (r) {
      rows[r].forEach(function (a, i) { pos[a] = { x: (i + 1) * width / (rows[r].length + 1), y: 40 + r * rowH }; });
    });
    var height = 80 + (maxRank + 1) * rowH;
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height }, root.querySelector(".pm-viewport"));
    var defs = el("defs", {}, svg);
    var marker = el("marker", { id: "pm-arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerWidth: "9", markerHeight: "9", markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#667788" }, marker);
    var edgeLayer = el("g", {}, svg), nodeLayer = el("g", {}, svg);
    var maxCount = m.edges.reduce(function (mx, e) { return Math.max(mx, e.count); }, 1);
    m.edges.forEach(function (e) {
      var a = pos[e.source], b = pos[e.target];
      var g = el("g", { id: e.id, "class": "edge" }, edgeLayer);
      var span = rank[e.target] - rank[e.source];
      var back = b.y <= a.y, dx = back ? 90 : (span > 1 ? -150 * (span - 1) : 0);
      var y1 = a.y + (back ? 0 : 16), y2 = b.y - (back ? 0 : 16);
      var mx = (a.x + b.x) / 2 + dx, my = (y1 + y2) / 2;
      el("path", { d: "M" + a.x + "," + y1 + " Q" + mx + "," + my + " " + b.x + "," + y2,
        "stroke-width": 1 + 5 * e.count / maxCount, "marker-end": "url(#pm-arrow)",
        "stroke-dasharray": e.virtual ? "4 3" : "" }, g);
      el("text", { x: (a.x + 2 * mx + b.x) / 4 + 4, y: (y1 + 2 * my + y2) / 4, "text-anchor": "start" }, g);
    });
    m.nodes.forEach(function (n) {
      var p = pos[n.name];
      var g = el("g", { id: n.id, "class": "node" }, nodeLayer);
      var label = n.virtual ? n.name : n.name + " (" + n.count + ")";
      if (label.length > 33) label = label.slice(0, 32) + "…";
      var w = Math.min(220, 12 + label.length * 6.6);
      el("rect", { x: p.x - w / 2, y: p.y - 16, width: w, height: 32, rx: 8 }, g);
      var t = el("text", { x: p.x, y: p.y + 4, "text-anchor": "middle" }, g);
      t.textContent = label;
    });
    return svg;
  }

  function render(root) {
    var source = document.getElementById("process-map-data");
    if (!root || !source || root.dataset.rendered) return;
    root.dataset.rendered = "1";
    var data = JSON.parse(source.textContent);
    var m = model(data);
    var viewport = root.querySelector(".pm-viewport");
    if (!viewport) {
      viewport = document.createElement("div");
      viewport.className = "pm-viewport";
      root.appendChild(viewport);
    }
    var svg = viewport.querySelector("svg") || drawFallback(root, data, m);
    svg.id = "pm-svg";
    // The map holds buttons: a named group, not an image (axe: nested-interactive).
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", T.map);
    svg.removeAttribute("width");
    svg.removeAttribute("height");

    var maxEdge = m.edges.reduce(function (mx, e) { return Math.max(mx, e.count); }, 1);
    var maxActivity = m.nodes.reduce(function (mx, n) { return Math.max(mx, n.count || 0); }, 1);
    var controls = document.createElement("div");
    controls.className = "pm-controls";
    controls.innerHTML =
      '<label>' + escapeHtml(T.min_activities) + ' <input type="range" min="1" max="' + maxActivity +
      '" value="1" id="pm-act-min"> <output id="pm-act-min-out" for="pm-act-min">1</output></label>' +
      '<label>' + escapeHtml(T.min_edges) + ' <input type="range" min="1" max="' + maxEdge +
      '" value="1" id="pm-min"> <output id="pm-min-out" for="pm-min">1</output></label>' +
      '<label>' + escapeHtml(T.label) + ' <select id="pm-metric"><option value="count">' +
      escapeHtml(T.count) + '</option><option value="mean_seconds">' + escapeHtml(T.mean) +
      '</option><option value="median_seconds">' + escapeHtml(T.median) + '</option>' +
      '<option value="p90_seconds">' + escapeHtml(T.p90) + '</option></select></label>' +
      '<span class="pm-zoom"><button type="button" class="secondary" id="pm-zoom-in" aria-label="' +
      escapeHtml(T.zoom_in) + '">+</button> <button type="button" class="secondary" id="pm-zoom-out" aria-label="' +
      escapeHtml(T.zoom_out) + '">\u2212</button> <button type="button" class="secondary" id="pm-zoom-reset">' +
      escapeHtml(T.zoom_reset) + '</button></span>';
    root.insertBefore(controls, viewport);
    var shown = document.createElement("p");
    shown.id = "pm-shown";
    shown.className = "muted";
    shown.setAttribute("aria-live", "polite");
    root.insertBefore(shown, viewport);
    var info = document.createElement("p");
    info.setAttribute("aria-live", "polite");
    info.id = "pm-info";
    info.textContent = T.hint;
    root.appendChild(info);
    viewport.setAttribute("tabindex", "0");
    viewport.setAttribute("role", "group");
    viewport.setAttribute("aria-label", T.map + ". " + T.map_keys);

    var nodeEls = {}, selected = null;
    m.nodes.forEach(function (n) {
      var g = svg.getElementById ? svg.getElementById(n.id) : svg.querySelector("#" + n.id);
      if (!g) return;
      n.g = g;
      g.classList.add("pm-node");
      if (n.virtual) g.classList.add("pm-virtual");
      g.setAttribute("data-activity", n.name);
      if (n.virtual) return;
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("aria-pressed", "false");
      g.setAttribute("aria-label", n.name + ": " + fill(T.events, { n: n.count }));
      var title = g.querySelector("title");
      if (title) title.remove();
      nodeEls[n.name] = g;
      g.addEventListener("click", function () { choose(n.name); });
      g.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); choose(n.name); }
      });
    });
    m.edges.forEach(function (e) {
      var g = svg.getElementById ? svg.getElementById(e.id) : svg.querySelector("#" + e.id);
      if (!g) return;
      e.g = g;
      g.classList.add("pm-edge");
      e.label = g.querySelector("text") || el("text", {}, g);
    });

    var actInput = controls.querySelector("#pm-act-min"), minInput = controls.querySelector("#pm-min");
    var metric = controls.querySelector("#pm-metric");
    function update() {
      var minAct = +actInput.value, min = +minInput.value, mt = metric.value;
      controls.querySelector("#pm-act-min-out").textContent = minAct;
      controls.querySelector("#pm-min-out").textContent = min;
      var hidden = {}, activities = 0, all = 0, edges = 0;
      m.nodes.forEach(function (n) {
        if (n.virtual) return;
        all += 1;
        hidden[n.name] = n.count < minAct;
        if (n.g) n.g.style.display = hidden[n.name] ? "none" : "";
        if (!hidden[n.name]) activities += 1;
      });
      if (selected && hidden[selected]) choose(selected);
      m.edges.forEach(function (e) {
        if (!e.g) return;
        var visible = e.count >= min && !hidden[e.source] && !hidden[e.target];
        e.g.style.display = visible ? "" : "none";
        if (visible) edges += 1;
        e.label.textContent = mt === "count" || e.virtual ? String(e.count) : duration(e.data[mt]);
        var hot = selected && (e.source === selected || e.target === selected);
        e.g.classList.toggle("pm-hot", !!hot);
        e.g.classList.toggle("pm-dim", !!selected && !hot);
      });
      shown.textContent = fill(T.shown, { activities: activities, all_activities: all, edges: edges, all_edges: m.edges.length });
    }
    function choose(name) {
      selected = selected === name ? null : name;
      Object.keys(nodeEls).forEach(function (n) {
        nodeEls[n].classList.toggle("pm-selected", n === selected);
        nodeEls[n].setAttribute("aria-pressed", n === selected ? "true" : "false");
      });
      if (selected) {
        var ins = 0, outs = 0;
        m.edges.forEach(function (e) { if (e.target === name) ins += e.count; if (e.source === name) outs += e.count; });
        info.textContent = fill(T.selected, { name: name, events: data.activities[name] || "–", "in": ins, out: outs });
      } else {
        info.textContent = T.none;
      }
      update();
    }

    // Zoom and pan through the viewBox.
    var box = svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
    var full = box.slice(), vb = box.slice();
    function apply() { svg.setAttribute("viewBox", vb.join(" ")); }
    function zoom(factor) {
      var cx = vb[0] + vb[2] / 2, cy = vb[1] + vb[3] / 2;
      var w = Math.min(full[2] * 2, Math.max(full[2] / 12, vb[2] / factor));
      var h = w * full[3] / full[2];
      vb = [cx - w / 2, cy - h / 2, w, h];
      apply();
    }
    function pan(dx, dy) { vb[0] += dx * vb[2]; vb[1] += dy * vb[3]; apply(); }
    function reset() { vb = full.slice(); apply(); }
    // First view: the top of the map at a readable scale (labels about their natural size,
    // 1.5× at most) across the full width; "Ganze Karte" shows all of it at once.
    function readable() {
      var cw = viewport.clientWidth || 800;
      var scale = Math.min(1.5, cw / full[2]);
      var ch = Math.max(240, Math.min(window.innerHeight * 0.75, full[3] * scale));
      svg.style.height = ch + "px";
      vb = [full[0] + (full[2] - cw / scale) / 2, full[1], cw / scale, ch / scale];
      apply();
    }
    controls.querySelector("#pm-zoom-in").addEventListener("click", function () { zoom(1.25); });
    controls.querySelector("#pm-zoom-out").addEventListener("click", function () { zoom(0.8); });
    controls.querySelector("#pm-zoom-reset").addEventListener("click", reset);
    viewport.addEventListener("keydown", function (ev) {
      if (ev.target !== viewport) return;
      var keys = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, -0.1], ArrowDown: [0, 0.1] };
      if (keys[ev.key]) { pan(keys[ev.key][0], keys[ev.key][1]); }
      else if (ev.key === "+" || ev.key === "=") { zoom(1.25); }
      else if (ev.key === "-") { zoom(0.8); }
      else if (ev.key === "0") { reset(); }
      else { return; }
      ev.preventDefault();
    });
    var drag = null;
    viewport.addEventListener("pointerdown", function (ev) {
      if (ev.target.closest && ev.target.closest(".pm-node")) return;
      drag = { x: ev.clientX, y: ev.clientY };
    });
    window.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var rect = svg.getBoundingClientRect();
      pan(-(ev.clientX - drag.x) / rect.width, -(ev.clientY - drag.y) / rect.height);
      drag = { x: ev.clientX, y: ev.clientY };
    });
    window.addEventListener("pointerup", function () { drag = null; });

    actInput.addEventListener("input", update);
    minInput.addEventListener("input", update);
    metric.addEventListener("change", update);
    if (root.dataset.metric === "performance") metric.value = "mean_seconds";
    readable();
    update();
  }

  function init() { render(document.getElementById("process-map-interactive")); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  document.addEventListener("htmx:afterSettle", init);
})();
