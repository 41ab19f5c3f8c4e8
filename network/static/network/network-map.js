/* Interactive network map: a small force layout on SVG, no library, no CDN.
   Reads the JSON from #network-data (nodes, edges) and draws into #network-canvas. */
(function () {
  "use strict";
  var svg = document.getElementById("network-canvas");
  var source = document.getElementById("network-data");
  if (!svg || !source) return;
  var data = JSON.parse(source.textContent);
  var NS = "http://www.w3.org/2000/svg";
  var W = 1000, H = 600;
  var nodes = data.nodes.map(function (n, i) {
    var angle = (2 * Math.PI * i) / Math.max(1, data.nodes.length);
    return { id: n.id, label: n.label, type: n.type_label, colour: n.colour,
             x: W / 2 + 250 * Math.cos(angle), y: H / 2 + 200 * Math.sin(angle), vx: 0, vy: 0 };
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
  var edgeLayer = el("g", {}), nodeLayer = el("g", {});
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
    n.g = el("g", { tabindex: "0", role: "listitem" });
    n.g.appendChild(el("circle", { r: 9, fill: n.colour, stroke: "#333" }));
    var text = el("text", { x: 12, y: 4, "font-size": 11 });
    text.textContent = n.label + " (" + n.type + ")";
    n.g.appendChild(text);
    var title = el("title", {}); title.textContent = n.label + " – " + n.type;
    n.g.appendChild(title);
    nodeLayer.appendChild(n.g);
  });

  function step() {
    var k = 80, i, j;
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
      n.x = Math.max(15, Math.min(W - 150, n.x + n.vx)); n.y = Math.max(15, Math.min(H - 15, n.y + n.vy));
    });
  }
  function draw() {
    edges.forEach(function (e) {
      e.line.setAttribute("x1", e.a.x); e.line.setAttribute("y1", e.a.y);
      e.line.setAttribute("x2", e.b.x); e.line.setAttribute("y2", e.b.y);
    });
    nodes.forEach(function (n) { n.g.setAttribute("transform", "translate(" + n.x + "," + n.y + ")"); });
  }
  var ticks = 0;
  function loop() { step(); draw(); if (++ticks < 300) window.requestAnimationFrame(loop); }
  loop();

  var dragging = null;
  function point(evt) {
    var p = svg.createSVGPoint(); p.x = evt.clientX; p.y = evt.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }
  nodes.forEach(function (n) {
    n.g.addEventListener("pointerdown", function (evt) { dragging = n; n.fixed = true; evt.preventDefault(); });
  });
  svg.addEventListener("pointermove", function (evt) {
    if (!dragging) return;
    var p = point(evt); dragging.x = p.x; dragging.y = p.y; draw();
  });
  window.addEventListener("pointerup", function () { dragging = null; });
  svg.setAttribute("data-ready", "1");
})();
