/* Interactive network map: a small force layout on SVG, no library, no CDN.
   Reads the JSON from #network-data (nodes, edges) and draws into #network-canvas.

   Readable: the layout runs to rest before the first paint, then label boxes that still
   overlap are pushed apart, and the drawing is fitted into the view. Accessible: the map
   is a list of its actors (each focusable, named "Name – Art"); the lines are decoration
   (the tables on the network page carry the same relations). A focused actor moves with
   the arrow keys, as dragging moves it with the mouse. */
(function () {
  "use strict";
  var svg = document.getElementById("network-canvas");
  var source = document.getElementById("network-data");
  if (!svg || !source) return;
  var data = JSON.parse(source.textContent);
  var NS = "http://www.w3.org/2000/svg";
  var W = 1000, H = 600, CHAR = 6.2, LINE = 22;
  var nodes = data.nodes.map(function (n, i) {
    var angle = (2 * Math.PI * i) / Math.max(1, data.nodes.length);
    var label = n.label + " (" + n.type_label + ")";
    return { id: n.id, label: label, name: n.label, type: n.type_label, colour: n.colour,
             w: 14 + label.length * CHAR,
             x: W / 2 + 300 * Math.cos(angle), y: H / 2 + 220 * Math.sin(angle), vx: 0, vy: 0 };
  });
  var byId = {};
  nodes.forEach(function (n) { byId[n.id] = n; });
  var edges = data.edges.filter(function (e) { return byId[e.source] && byId[e.target]; })
    .map(function (e) { return { a: byId[e.source], b: byId[e.target], kinds: e.kinds, labels: e.labels }; });

  function el(name, attrs) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  svg.setAttribute("role", "list");
  var edgeLayer = el("g", { "aria-hidden": "true" }), nodeLayer = el("g", {});
  svg.appendChild(edgeLayer); svg.appendChild(nodeLayer);
  edges.forEach(function (e) {
    var agreement = e.kinds.indexOf("agreement") >= 0, parent = e.kinds.indexOf("parent") >= 0;
    e.line = el("line", { stroke: parent ? "#7f7f7f" : (agreement ? "#d62728" : "#2ca02c"),
                          "stroke-width": agreement ? 2 : 1,
                          "stroke-dasharray": agreement || parent ? "" : "4 3" });
    var title = el("title", {}); title.textContent = e.labels.join("; ");
    e.line.appendChild(title);
    edgeLayer.appendChild(e.line);
  });
  nodes.forEach(function (n) {
    n.g = el("g", { tabindex: "0", role: "listitem", "aria-label": n.name + " – " + n.type,
                    "class": "nm-node" });
    n.g.appendChild(el("circle", { r: 9, fill: n.colour, stroke: "#333" }));
    var halo = el("text", { x: 12, y: 4, "font-size": 11, "class": "nm-halo", "aria-hidden": "true" });
    halo.textContent = n.label;
    var text = el("text", { x: 12, y: 4, "font-size": 11, "aria-hidden": "true" });
    text.textContent = n.label;
    n.g.appendChild(halo);
    n.g.appendChild(text);
    nodeLayer.appendChild(n.g);
  });

  function step() {
    var k = 110, i, j;
    for (i = 0; i < nodes.length; i++) {
      for (j = i + 1; j < nodes.length; j++) {
        var a = nodes[i], b = nodes[j], dx = a.x - b.x, dy = a.y - b.y;
        var d2 = dx * dx + dy * dy + 0.01, f = (k * k) / d2;
        a.vx += dx * f * 0.05; a.vy += dy * f * 0.05; b.vx -= dx * f * 0.05; b.vy -= dy * f * 0.05;
      }
    }
    edges.forEach(function (e) {
      var dx = e.b.x - e.a.x, dy = e.b.y - e.a.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01;
      var f = (d - k) * 0.02;
      e.a.vx += (dx / d) * f * d * 0.05; e.a.vy += (dy / d) * f * d * 0.05;
      e.b.vx -= (dx / d) * f * d * 0.05; e.b.vy -= (dy / d) * f * d * 0.05;
    });
    nodes.forEach(function (n) {
      if (n.fixed) { n.vx = n.vy = 0; return; }
      n.vx += (W / 2 - n.x) * 0.002; n.vy += (H / 2 - n.y) * 0.002;
      n.vx = Math.max(-20, Math.min(20, n.vx * 0.6)); n.vy = Math.max(-20, Math.min(20, n.vy * 0.6));
      n.x += n.vx; n.y += n.vy;
    });
  }
  /* A label box is the circle plus the text to its right: push overlapping boxes apart
     vertically (the cheaper direction for wide labels) until none overlap. */
  function separate() {
    for (var round = 0; round < 200; round++) {
      var moved = false;
      for (var i = 0; i < nodes.length; i++) {
        for (var j = i + 1; j < nodes.length; j++) {
          var a = nodes[i], b = nodes[j];
          var overlapX = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x - 10, b.x - 10);
          var overlapY = LINE + 4 - Math.abs(a.y - b.y);
          if (overlapX > 0 && overlapY > 0) {
            var push = overlapY / 2 + 0.5, sign = a.y <= b.y ? -1 : 1;
            if (!a.fixed) a.y += sign * push;
            if (!b.fixed) b.y -= sign * push;
            moved = true;
          }
        }
      }
      if (!moved) return;
    }
  }
  function fit() {
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    nodes.forEach(function (n) {
      minX = Math.min(minX, n.x - 12); maxX = Math.max(maxX, n.x + n.w);
      minY = Math.min(minY, n.y - 12); maxY = Math.max(maxY, n.y + 12);
    });
    if (!nodes.length) { minX = minY = 0; maxX = W; maxY = H; }
    var pad = 10, w = Math.max(maxX - minX, 200), h = Math.max(maxY - minY, 120);
    svg.setAttribute("viewBox", [minX - pad, minY - pad, w + 2 * pad, h + 2 * pad].join(" "));
    svg.setAttribute("height", Math.round(Math.min(900, Math.max(300, (h + 2 * pad) * 1000 / (w + 2 * pad)))));
  }
  function draw() {
    edges.forEach(function (e) {
      e.line.setAttribute("x1", e.a.x); e.line.setAttribute("y1", e.a.y);
      e.line.setAttribute("x2", e.b.x); e.line.setAttribute("y2", e.b.y);
    });
    nodes.forEach(function (n) { n.g.setAttribute("transform", "translate(" + n.x + "," + n.y + ")"); });
  }
  for (var t = 0; t < 400; t++) step();
  separate();
  fit();
  draw();

  var dragging = null;
  function point(evt) {
    var p = svg.createSVGPoint(); p.x = evt.clientX; p.y = evt.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }
  nodes.forEach(function (n) {
    n.g.addEventListener("pointerdown", function (evt) { dragging = n; n.fixed = true; evt.preventDefault(); });
    n.g.addEventListener("keydown", function (evt) {
      var moves = { ArrowLeft: [-20, 0], ArrowRight: [20, 0], ArrowUp: [0, -20], ArrowDown: [0, 20] };
      var d = moves[evt.key];
      if (!d) return;
      evt.preventDefault();
      n.fixed = true; n.x += d[0]; n.y += d[1];
      draw();
    });
  });
  svg.addEventListener("pointermove", function (evt) {
    if (!dragging) return;
    var p = point(evt); dragging.x = p.x; dragging.y = p.y; draw();
  });
  window.addEventListener("pointerup", function () { dragging = null; });
  svg.setAttribute("data-ready", "1");
})();
