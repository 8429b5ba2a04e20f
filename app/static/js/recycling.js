// Recycling: map of the collection points, "nearest to my position", and the return form.
// The pages work without this file; it only adds the map and small conveniences.
(function () {
  "use strict";

  function pointsFromList() {
    return Array.prototype.map.call(document.querySelectorAll(".point-card[data-lat]"), function (li) {
      return {
        id: li.dataset.id, name: li.dataset.name, commune: li.dataset.commune, open: li.dataset.open === "yes",
        suspended: li.dataset.open === "suspended",
        lat: parseFloat(li.dataset.lat), lon: parseFloat(li.dataset.lon), element: li
      };
    });
  }

  // Our own light base: the communes' centres and the outline around them, so the
  // points keep their true relative positions without any third-party tile.
  function drawOwnBase(map, url) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var coords = data.features.map(function (f) { return f.geometry.coordinates; });
      var hull = convexHull(coords).map(function (c) { return [c[1], c[0]]; });
      // The base and the communes' names lie under the points' markers (the overlay pane,
      // 400): a name never hides a point, nor the outline's tint a marker drawn before it.
      map.createPane("communeBase").style.zIndex = 350;
      map.createPane("communeNames").style.zIndex = 360;
      if (hull.length > 2) {
        L.polygon(hull, {
          pane: "communeBase", color: "#6b7680", weight: 1, fillColor: "#e8efe9", fillOpacity: 0.6, interactive: false
        }).addTo(map);
      }
      var labels = data.features.map(function (f) {
        return {
          name: f.properties.name,
          tooltip: L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
            pane: "communeBase", radius: 2, color: "#6b7680", weight: 1, interactive: false
          }).bindTooltip(asText(f.properties.name), {
            pane: "communeNames", permanent: true, direction: "right", className: "commune-label"
          }).addTo(map).getTooltip()
        };
      });
      if (drawn) { drawn.labels = labels; }
      // After "moveend" (a zoom's too): Leaflet redraws the markers then, so their boxes
      // are read where they now stand; a pan also changes which names the edge would cut.
      var queued = false;
      map.on("moveend resize", function () {
        if (queued) { return; }
        queued = true;
        requestAnimationFrame(function () { queued = false; declutter(labels); });
      });
      declutter(labels);
    });
  }

  // Dense communes (the north-west on a phone) would print their names over each other,
  // under the points' markers (their own point's too: the names lie beneath them), the
  // zoom buttons or past the map's edge. Such a name goes to the right of its commune's
  // centre, else to its left, below or above it, each time moved on past its own points'
  // markers if they cover it; else it is hidden until zooming in gives it room. The
  // communes of the points listed first (the nearest) are named first. The names are
  // only a backdrop: the list and the points' tooltips say where each point is.
  var SIDES = { right: [1, 0], left: [-1, 0], bottom: [0, 1], top: [0, -1] };
  var CLEARANCE = 3;  // px between a name and a marker (its stroke, the eye)

  function declutter(labels) {
    var rank = Object.create(null), markers = [];
    pointsFromList().forEach(function (p, i) {
      if (!(p.commune in rank)) { rank[p.commune] = i; }
    });
    if (drawn) {
      drawn.layer.eachLayer(function (marker) {
        var path = marker.getElement(), box = path && path.getBoundingClientRect();
        // Leaflet empties the paths out of view: they have no size and hide nothing.
        if (box && box.width) { markers.push({ commune: marker.commune, box: grown(box, CLEARANCE) }); }
        var tip = marker.getTooltip();  // « You are here »
        if (tip && tip.options.permanent && tip.getElement()) {
          markers.push({ commune: null, box: tip.getElement().getBoundingClientRect() });
        }
      });
    }
    function grown(b, by) {
      return { left: b.left - by, right: b.right + by, top: b.top - by, bottom: b.bottom + by };
    }
    function order(label) { return label.name in rank ? rank[label.name] : 1e9; }
    function overlap(a, b) { return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; }
    var frame = drawn ? drawn.el.getBoundingClientRect() : null;
    var controls = drawn ? Array.prototype.map.call(drawn.el.querySelectorAll(".leaflet-control"), function (c) {
      return c.getBoundingClientRect();
    }) : [];
    var shown = [];  // the boxes of the names kept so far
    function clashes(box) {
      var cut = frame && (box.left < frame.left || box.right > frame.right || box.top < frame.top || box.bottom > frame.bottom);
      return cut || controls.concat(shown).some(function (other) { return overlap(box, other); }) ||
        markers.some(function (m) { return overlap(box, m.box); });
    }
    function put(tooltip, side, shift) {
      tooltip.options.direction = side;
      tooltip.options.offset = [SIDES[side][0] * shift, SIDES[side][1] * shift];
      tooltip.update();
      return tooltip.getElement().getBoundingClientRect();
    }
    // Beside its own points' markers on that side: moved on, by as much as the first one
    // covering it reaches past it, until none does (a commune may have several points).
    function besideOwn(label, side) {
      var shift = 0, box = put(label.tooltip, side, 0), dx = SIDES[side][0], dy = SIDES[side][1];
      for (var tries = 0; tries < 4; tries++) {
        var own = markers.find(function (m) { return m.commune === label.name && overlap(box, m.box); });
        if (!own) { return box; }
        shift += dx > 0 ? own.box.right - box.left : dx < 0 ? box.right - own.box.left
          : dy > 0 ? own.box.bottom - box.top : box.bottom - own.box.top;
        box = put(label.tooltip, side, shift);
      }
      return box;
    }
    labels.slice().sort(function (a, b) { return order(a) - order(b); }).forEach(function (label) {
      var el = label.tooltip.getElement();
      if (!el) { return; }
      var place = Object.keys(SIDES).find(function (side) { return !clashes(besideOwn(label, side)); });
      if (place) {
        shown.push(besideOwn(label, place));
      } else {
        put(label.tooltip, "right", 0);
      }
      el.style.visibility = place ? "" : "hidden";
    });
  }

  function convexHull(points) {
    var pts = points.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    if (pts.length < 3) { return pts; }
    function cross(o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); }
    var lower = [], upper = [], i;
    for (i = 0; i < pts.length; i++) {
      while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], pts[i]) <= 0) { lower.pop(); }
      lower.push(pts[i]);
    }
    for (i = pts.length - 1; i >= 0; i--) {
      while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], pts[i]) <= 0) { upper.pop(); }
      upper.push(pts[i]);
    }
    return lower.slice(0, -1).concat(upper.slice(0, -1));
  }

  var drawn = null;  // the map and its layer of points, once shown
  // The person's position once they asked for the nearest points: it stays in the
  // browser, where the map marks it and zooms to the few points nearest to it.
  var here = null;
  var NEAREST = 3;

  function initMap() {
    var el = document.getElementById("points-map");
    if (!el || !window.L) { return; }
    if (!pointsFromList().length) { el.hidden = true; return; }
    el.classList.add("is-ready");  // shown only when the map can be drawn
    // On a touch screen one finger scrolls the page, as it does everywhere else on it (the
    // map is nearly as wide as a phone: it caught every swipe); two fingers move and zoom
    // the map (Leaflet's pinch), and its buttons and the list do the rest.
    var touchFirst = L.Browser.mobile ||
      !!(window.matchMedia && window.matchMedia("(pointer: coarse)").matches);
    // Leaflet's own zoom buttons are titled and named in English: ours carry the page's words.
    var map = L.map(el, {
      scrollWheelZoom: false, zoomControl: false, attributionControl: !!el.dataset.tileUrl,
      dragging: !touchFirst
    });
    var zoom = {};  // a list rendered before the labels existed keeps Leaflet's own
    if (el.dataset.zoomInLabel) { zoom.zoomInTitle = el.dataset.zoomInLabel; }
    if (el.dataset.zoomOutLabel) { zoom.zoomOutTitle = el.dataset.zoomOutLabel; }
    L.control.zoom(zoom).addTo(map);
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
    } else {
      drawOwnBase(map, el.dataset.baseUrl);
    }
    drawn = { el: el, map: map, layer: L.layerGroup().addTo(map), bounds: [] };
    if (el.dataset.resetLabel) { resetControl(el.dataset.resetLabel).addTo(map); }
    if (touchFirst && el.dataset.twoFingersLabel) { twoFingersHint(el, el.dataset.twoFingersLabel); }
    drawPoints();
  }

  // Every point shown (or, sorted from the person's position, the nearest few), as the
  // map first showed them.
  function fitAll() {
    if (drawn.bounds.length) { drawn.map.fitBounds(drawn.bounds, { padding: [30, 30], maxZoom: 15 }); }
  }

  // A real button among the map's controls, so the keyboard reaches it after the zoom
  // buttons: the way back after zooming or moving the map away from the points.
  function resetControl(label) {
    var Reset = L.Control.extend({
      onAdd: function () {
        var box = L.DomUtil.create("div", "leaflet-bar map-reset");
        var button = L.DomUtil.create("button", "", box);
        button.type = "button";
        button.textContent = label;
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.on(button, "click", fitAll);
        return box;
      }
    });
    return new Reset({ position: "topright" });
  }

  // One finger moving over the map scrolls the page: a short line over it says how to move
  // the map instead, then fades; two fingers take it away at once.
  var HINT_MS = 1500;

  function twoFingersHint(el, label) {
    var hint = document.createElement("p");
    hint.className = "map-gesture-hint";
    hint.textContent = label;
    hint.hidden = true;
    el.appendChild(hint);
    var timer = null, start = null;
    function hide() { clearTimeout(timer); hint.hidden = true; }
    el.addEventListener("touchstart", function (event) {
      if (event.touches.length === 1) {
        start = { x: event.touches[0].clientX, y: event.touches[0].clientY };
      } else { start = null; hide(); }
    }, { passive: true });
    el.addEventListener("touchmove", function (event) {
      if (event.touches.length !== 1 || !start) { hide(); return; }
      var t = event.touches[0];
      if (Math.abs(t.clientX - start.x) + Math.abs(t.clientY - start.y) < 10) { return; }  // a tap
      hint.hidden = false;
      clearTimeout(timer);
      timer = setTimeout(hide, HINT_MS);
    }, { passive: true });
  }

  // One marker per card shown: drawn again when the list changes (sorted from the
  // position, every point's card replaces the first page's).
  function drawPoints() {
    if (!drawn) { return; }
    var el = drawn.el, bounds = [];
    drawn.layer.clearLayers();
    pointsFromList().forEach(function (p) {
      // Closed for now by its hours, or closed temporarily by an admin: not the same news.
      var state = p.open ? el.dataset.openLabel
        : p.suspended ? el.dataset.suspendedLabel : el.dataset.closedLabel;
      var label = p.name + " – " + state;
      var marker = L.circleMarker([p.lat, p.lon], {
        // 24 px across at least (WCAG 2.5.8): a finger picks one on a phone.
        radius: 12, weight: 2, color: "#14502f", fillColor: p.open ? "#1d6b45" : "#ffffff", fillOpacity: 1
      });
      // No tab stop (the browser made each an unnamed one that did nothing on Enter):
      // the list beside the map tells the same, card by card; the mouse still picks one.
      // Its element exists once the map has a view, after fitBounds below.
      marker.on("add", function () { marker.getElement().setAttribute("tabindex", "-1"); });
      marker.addTo(drawn.layer);
      marker.commune = p.commune;  // its own commune's name goes beside it, never under it
      hoverableTooltip(marker, label);
      marker.on("click", function () {
        var card = document.getElementById("point-" + p.id);  // the list may be sorted since
        if (!card) { return; }
        card.scrollIntoView({ block: "nearest" });
        card.setAttribute("tabindex", "-1");
        card.focus();
      });
      bounds.push([p.lat, p.lon]);
    });
    if (here) {
      // Not interactive: the points keep every click, and the count of markers.
      L.circleMarker([here.lat, here.lon], {
        radius: 7, weight: 3, color: "#ffffff", fillColor: "#1a4fa0", fillOpacity: 1,
        interactive: false, className: "my-position"
      }).bindTooltip(asText(el.dataset.hereLabel), { permanent: true, direction: "top" }).addTo(drawn.layer);
      // The cards are in order of distance: the position and the nearest few fill the map.
      bounds = [[here.lat, here.lon]].concat(bounds.slice(0, NEAREST));
    }
    drawn.bounds = bounds;
    fitAll();
    if (drawn.labels) { declutter(drawn.labels); }  // the nearest communes named first
  }

  // A point's name on hover, as WCAG 1.4.13 asks of content shown on hover: fully opaque
  // (it lies over a neighbouring marker), hoverable (the pointer may move onto it to
  // read it: Leaflet closed it on leaving the marker, so it now closes a moment after
  // the pointer left both) and dismissed by Escape without moving the pointer.
  var TOOLTIP_GRACE_MS = 300;
  var openTooltip = null;  // the marker whose tooltip is shown

  function hoverableTooltip(marker, label) {
    marker.bindTooltip(asText(label), { opacity: 1, interactive: true, className: "point-tooltip" });
    marker.off("mouseout", marker.closeTooltip);  // closed below, after the grace
    var timer = null;
    function keep() { clearTimeout(timer); timer = null; }
    function closeSoon() {
      keep();
      timer = setTimeout(function () { marker.closeTooltip(); }, TOOLTIP_GRACE_MS);
    }
    marker.on("mouseover", keep);
    marker.on("mouseout", closeSoon);
    marker.on("tooltipopen", function () {
      openTooltip = marker;
      var el = marker.getTooltip().getElement();
      if (el && !el.dataset.hoverable) {
        el.dataset.hoverable = "yes";
        el.addEventListener("mouseenter", keep);
        el.addEventListener("mouseleave", closeSoon);
      }
    });
    marker.on("tooltipclose", function () {
      keep();
      if (openTooltip === marker) { openTooltip = null; }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && openTooltip) { openTooltip.closeTooltip(); }
  });

  // Leaflet writes a string tooltip as HTML: names typed by people (a point's, a
  // commune's) are given as text, so « Mairie <annexe> » reads as typed and no markup
  // of theirs reaches the page.
  function asText(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  // The map is drawn on demand: Leaflet's CSS and script (about 160 KB) are fetched
  // only when the person presses "Show the map", so the list stays light. It is drawn
  // once both have come: names placed before the stylesheet applies would be measured
  // unstyled (on a slow line it may come after the script) and all hidden.
  function loadLeaflet(button, done, failed) {
    if (window.L) { done(); return; }
    var waiting = 2;
    function arrived() { waiting -= 1; if (!waiting) { done(); } }
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = button.dataset.css;
    css.onload = arrived;
    css.onerror = arrived;  // unstyled, the list and the points' tooltips still say it all
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = button.dataset.js;
    script.onload = arrived;
    script.onerror = failed;  // the button may be pressed again
    document.head.appendChild(script);
  }

  // A toggle: "Show the map" draws it (fetching Leaflet the first time), then reads
  // "Hide the map", and so on. The button stays where it is, with the focus, and
  // aria-expanded says whether the map it controls is shown.
  function initMapButton() {
    var button = document.getElementById("show-map");
    var el = document.getElementById("points-map");
    if (!button || !el || !pointsFromList().length) { return; }
    var labels = { show: button.textContent, hide: button.dataset.hideLabel || button.textContent };
    var loading = false;
    function setShown(shown) {
      el.classList.toggle("is-ready", shown);
      button.setAttribute("aria-expanded", shown ? "true" : "false");
      button.textContent = shown ? labels.hide : labels.show;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (loading) { return; }
      if (button.getAttribute("aria-expanded") === "true") { setShown(false); return; }
      if (drawn) {
        setShown(true);
        drawn.map.invalidateSize();  // drawn while hidden (the list sorted since): no size
        drawPoints();
        return;
      }
      // aria-disabled, not disabled: a disabled button would lose the keyboard's focus.
      loading = true;
      button.setAttribute("aria-disabled", "true");
      function ready() {
        loading = false;
        button.removeAttribute("aria-disabled");
      }
      loadLeaflet(button, function () {
        ready();
        initMap();
        setShown(!!drawn);
      }, ready);
    });
  }

  // "Nearest to my current position": the browser fetches every point's card (the same
  // for everyone) and sorts them itself, so the position never leaves the device.
  function kilometres(lat1, lon1, lat2, lon2) {
    var rad = Math.PI / 180, dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
    var a = Math.pow(Math.sin(dLat / 2), 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * 6371 * Math.asin(Math.sqrt(a));
  }

  function sortCards(button, html, lat, lon) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var column = holder.content.querySelector(".point-column");
    var list = column && column.querySelector(".point-list");
    var old = document.querySelector(".point-column");
    if (!list || !old) { throw new Error("no list"); }
    var number = new Intl.NumberFormat(document.documentElement.lang || undefined,
      { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    Array.prototype.map.call(list.querySelectorAll(".point-card[data-lat]"), function (li) {
      return { li: li, km: kilometres(lat, lon, parseFloat(li.dataset.lat), parseFloat(li.dataset.lon)) };
    }).sort(function (a, b) { return a.km - b.km; }).forEach(function (card) {
      var meta = card.li.querySelector(".point-meta");
      if (meta) { meta.textContent += " · " + button.dataset.km.replace("{km}", number.format(card.km)); }
      list.appendChild(card.li);  // moved to the end: in order of distance
    });
    old.replaceWith(column);
    here = { lat: lat, lon: lon };
    drawPoints();  // the map, if shown, marks every point now listed
  }

  function initLocate() {
    var button = document.getElementById("locate-me");
    var hint = document.getElementById("locate-hint");
    if (!button || !navigator.geolocation || !window.fetch) { return; }
    button.hidden = false;
    if (hint) { hint.hidden = false; }
    button.addEventListener("click", function () {
      var status = document.getElementById("sort-status");
      function failed() { if (status) { status.textContent = button.dataset.error; } }
      navigator.geolocation.getCurrentPosition(function (pos) {
        fetch(button.dataset.cards, { credentials: "same-origin" }).then(function (r) {
          if (!r.ok) { throw new Error(r.status); }
          return r.text();
        }).then(function (html) {
          sortCards(button, html, pos.coords.latitude, pos.coords.longitude);
          if (status) { status.textContent = button.dataset.sorted; }
        }).catch(failed);
      }, failed, { maximumAge: 600000, timeout: 10000 });
    });
  }

  // The wipe question only matters for data-bearing devices: hidden for the others, its
  // radios are no longer required (the server asks no answer of them), and required
  // again once shown. The types the chosen point does not accept cannot be picked (its
  // intro, swapped by htmx, lists them).
  function initReturnForm() {
    var choice = document.getElementById("wipe-choice");
    var types = document.getElementById("device-types");
    if (!choice || !types) { return; }
    var answers = choice.querySelectorAll("input[type=radio]");
    var required = Array.prototype.map.call(answers, function (input) { return input.required; });
    function update() {
      var checked = types.querySelector("input:checked");
      choice.hidden = !!checked && checked.dataset.bearing === "no";
      Array.prototype.forEach.call(answers, function (input, i) {
        input.required = required[i] && !choice.hidden;
      });
    }
    function followPoint() {
      var intro = document.getElementById("point-intro");
      var accepted = intro && intro.dataset.accepted ? intro.dataset.accepted.split(",") : null;
      Array.prototype.forEach.call(types.querySelectorAll("input[type=radio]"), function (input) {
        // A type already checked stays enabled: its refusal says why, and it keeps the focus.
        input.disabled = !!accepted && accepted.indexOf(input.value) < 0 && !input.checked;
      });
    }
    types.addEventListener("change", update);
    document.body.addEventListener("htmx:afterSettle", followPoint);
    update();
    followPoint();
  }

  document.addEventListener("DOMContentLoaded", function () {
    initMapButton();
    initLocate();
    initReturnForm();
  });
})();
