// The schema map's relation diagram: Mermaid draws it from the schema's JSON (#schema-data);
// this file adds panning, zooming and a focus on one table and its neighbours. A big schema
// opens focused on its most referenced table, where a whole-schema drawing would be too small.
(function () {
  "use strict";
  var FOCUS_ABOVE = 25; // tables: above this, the first view is one table and its neighbours
  var MAX_FIELDS = 25;
  var READABLE_PX = 14; // the smallest text height (in screen pixels) a first view or Fit gives

  var dataNode = document.getElementById("schema-data");
  var viewport = document.getElementById("diagram-viewport");
  var target = document.getElementById("schema-diagram");
  if (!dataNode || !viewport || !target || !window.mermaid) return;
  var schema = JSON.parse(dataNode.textContent);
  var focusSelect = document.getElementById("diagram-focus");
  var state = { scale: 1, x: 0, y: 0 };
  var renders = 0;
  var focused = ""; // the table the drawing is focused on

  function ident(text) {
    var cleaned = String(text).replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "") || "x";
    return /^[0-9]/.test(cleaned) ? "t_" + cleaned : cleaned;
  }

  function neighbours(name) {
    var keep = {};
    keep[name] = true;
    schema.references.forEach(function (ref) {
      if (ref.from === name) keep[ref.to] = true;
      if (ref.to === name) keep[ref.from] = true;
    });
    return keep;
  }

  // The fields a drawing of `table` shows: all of them (up to MAX_FIELDS), or in a compact
  // drawing only those holding a reference (to `to`, when given); the cards below the diagram
  // list every field.
  function drawnFields(table, compact, to) {
    var fields = table.fields || [];
    var shown = !compact ? fields : fields.filter(function (field) {
      return field.references && (!to || field.references === to);
    });
    return { shown: shown.slice(0, MAX_FIELDS), hidden: fields.length - Math.min(shown.length, MAX_FIELDS) };
  }

  function source(focus) {
    var keep = focus ? neighbours(focus) : null;
    var big = schema.tables.length > FOCUS_ABOVE;
    var lines = ["erDiagram"];
    var known = {};
    schema.tables.forEach(function (table) {
      known[table.name] = true;
      if (keep && !keep[table.name]) return;
      // A focused table shows its fields, its neighbours only those referencing it, and the
      // tables of a big schema's whole drawing only their references: small enough to read.
      var drawn = focus ? drawnFields(table, table.name !== focus, focus) : drawnFields(table, big);
      lines.push("  " + ident(table.name) + " {");
      drawn.shown.forEach(function (field) {
        lines.push("    " + (ident(String(field.type || "any").replace(/"/g, "")) || "any") + " " +
          ident(field.name) + (field.references ? " FK" : "") + (field.optional ? ' "optional"' : ""));
      });
      // (Mermaid's attribute names cannot start with a digit.)
      if (drawn.hidden) lines.push(drawn.shown.length ? "    more and_" + drawn.hidden + "_fields" : "    fields total_" + drawn.hidden);
      if (!drawn.shown.length && !drawn.hidden) lines.push("    any _id");
      lines.push("  }");
    });
    schema.references.forEach(function (ref) {
      if (!ref.to) return;
      if (keep && !(keep[ref.from] && keep[ref.to])) return;
      if (keep && focus !== ref.from && focus !== ref.to) return;
      if (!known[ref.to]) {
        lines.push("  " + ident(ref.to) + " {\n    any _id\n  }");
        known[ref.to] = true;
      }
      lines.push("  " + ident(ref.from) + " }o--|| " + ident(ref.to) + ' : "' + ident(ref.field || "ref") + '"');
    });
    return lines.join("\n");
  }

  function mostReferenced() {
    var degree = {};
    schema.references.forEach(function (ref) {
      degree[ref.from] = (degree[ref.from] || 0) + 1;
      degree[ref.to] = (degree[ref.to] || 0) + 1;
    });
    var best = schema.tables.length ? schema.tables[0].name : "";
    schema.tables.forEach(function (table) {
      if ((degree[table.name] || 0) > (degree[best] || 0)) best = table.name;
    });
    return best;
  }

  function apply() {
    var svg = target.querySelector("svg");
    if (svg) svg.style.transform = "translate(" + state.x + "px," + state.y + "px) scale(" + state.scale + ")";
  }

  // The median height of the drawing's text as drawn now (fit() calls it at scale 1). Mermaid
  // writes labels as SVG text or as HTML inside foreignObject, depending on the diagram.
  function textHeight(svg) {
    var heights = [];
    var texts = svg.querySelectorAll("text, foreignObject span");
    for (var i = 0; i < texts.length && heights.length < 200; i++) {
      var height = texts[i].getBoundingClientRect().height;
      if (height > 0) heights.push(height);
    }
    heights.sort(function (a, b) { return a - b; });
    return heights.length ? heights[Math.floor(heights.length / 2)] : READABLE_PX;
  }

  function fit() {
    var svg = target.querySelector("svg");
    if (!svg) return;
    var box = svg.viewBox && svg.viewBox.baseVal;
    var width = box && box.width ? box.width : svg.getBoundingClientRect().width;
    var height = box && box.height ? box.height : svg.getBoundingClientRect().height;
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.style.maxWidth = "none";
    svg.style.transform = "none"; // measured at scale 1
    var room = viewport.clientWidth - 16;
    state.scale = Math.min(1.5, room / width);
    // Never shrink the text below READABLE_PX: a drawing too big for that is panned to see the rest.
    state.scale = Math.max(state.scale, READABLE_PX / textHeight(svg));
    state.x = Math.max(8, (viewport.clientWidth - width * state.scale) / 2);
    state.y = 8;
    var viewHeight = Math.min(Math.max(height * state.scale + 16, 240), 640);
    // A drawing larger than the view opens on the focused table (the most referenced one when
    // none is), not on its top left corner, which may be empty.
    var centre = focused || mostReferenced();
    var entity = centre && svg.querySelector("g.node[id*='-entity-" + ident(centre) + "-']");
    if (entity) {
      var svgBox = svg.getBoundingClientRect();
      var entityBox = entity.getBoundingClientRect();
      var cx = entityBox.left - svgBox.left + entityBox.width / 2;
      var cy = entityBox.top - svgBox.top + entityBox.height / 2;
      if (width * state.scale > viewport.clientWidth) {
        state.x = Math.min(8, Math.max(viewport.clientWidth - width * state.scale - 8,
                                       viewport.clientWidth / 2 - cx * state.scale));
      }
      if (height * state.scale > viewHeight) {
        state.y = Math.min(8, Math.max(viewHeight - height * state.scale - 8, viewHeight / 2 - cy * state.scale));
      }
    }
    viewport.style.height = viewHeight + "px";
    apply();
  }

  function zoom(factor, cx, cy) {
    var next = Math.min(4, Math.max(0.1, state.scale * factor));
    var rect = viewport.getBoundingClientRect();
    var px = cx === undefined ? rect.width / 2 : cx - rect.left;
    var py = cy === undefined ? rect.height / 2 : cy - rect.top;
    state.x = px - (px - state.x) * (next / state.scale);
    state.y = py - (py - state.y) * (next / state.scale);
    state.scale = next;
    apply();
  }

  function draw(focus) {
    renders += 1;
    return window.mermaid.render("schema-svg-" + renders, source(focus)).then(function (result) {
      target.innerHTML = result.svg;
      focused = focus || "";
      viewport.classList.add("interactive");
      fit();
      document.body.dataset.diagram = "ready";
      document.body.dataset.diagramFocus = focus || "";
    });
  }

  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });
  var first = schema.tables.length > FOCUS_ABOVE ? mostReferenced() : "";
  if (focusSelect) focusSelect.value = first;
  document.querySelectorAll(".diagram-controls, .diagram-hint").forEach(function (node) { node.hidden = false; });
  draw(first).catch(function (error) { document.body.dataset.diagram = "failed"; console.error(error); });

  if (focusSelect) {
    focusSelect.addEventListener("change", function () { draw(focusSelect.value); });
  }
  document.querySelectorAll("[data-focus-table]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (focusSelect) focusSelect.value = button.getAttribute("data-focus-table");
      draw(button.getAttribute("data-focus-table"));
      document.getElementById("diagram").scrollIntoView({ behavior: "smooth" });
    });
  });
  document.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      var how = button.getAttribute("data-zoom");
      if (how === "fit") fit(); else zoom(how === "in" ? 1.25 : 0.8);
    });
  });
  viewport.addEventListener("wheel", function (event) {
    if (!(event.ctrlKey || event.metaKey)) return; // plain scrolling scrolls the page
    event.preventDefault();
    zoom(event.deltaY < 0 ? 1.1 : 0.9, event.clientX, event.clientY);
  }, { passive: false });
  var drag = null;
  viewport.addEventListener("pointerdown", function (event) {
    drag = { x: event.clientX - state.x, y: event.clientY - state.y };
    viewport.setPointerCapture(event.pointerId);
    viewport.classList.add("dragging");
  });
  viewport.addEventListener("pointermove", function (event) {
    if (!drag) return;
    state.x = event.clientX - drag.x;
    state.y = event.clientY - drag.y;
    apply();
  });
  function stop() { drag = null; viewport.classList.remove("dragging"); }
  viewport.addEventListener("pointerup", stop);
  viewport.addEventListener("pointercancel", stop);
  viewport.addEventListener("keydown", function (event) {
    var step = 40;
    if (event.key === "+" || event.key === "=") zoom(1.25);
    else if (event.key === "-") zoom(0.8);
    else if (event.key === "ArrowLeft") state.x += step;
    else if (event.key === "ArrowRight") state.x -= step;
    else if (event.key === "ArrowUp") state.y += step;
    else if (event.key === "ArrowDown") state.y -= step;
    else return;
    event.preventDefault();
    apply();
  });
})();
