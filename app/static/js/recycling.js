// Recycling: map of the collection points, "nearest to my position", and the return form.
// The pages work without this file; it only adds the map and small conveniences.
(function () {
  "use strict";

  function pointsFromList() {
    return Array.prototype.map.call(document.querySelectorAll(".point-card[data-lat]"), function (li) {
      return {
        id: li.dataset.id, name: li.dataset.name, open: li.dataset.open === "yes",
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
      if (hull.length > 2) {
        L.polygon(hull, { color: "#6b7680", weight: 1, fillColor: "#e8efe9", fillOpacity: 0.6, interactive: false }).addTo(map);
      }
      data.features.forEach(function (f) {
        L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
          radius: 2, color: "#6b7680", weight: 1, interactive: false
        }).bindTooltip(f.properties.name, { permanent: true, direction: "right", className: "commune-label" }).addTo(map);
      });
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

  function initMap() {
    var el = document.getElementById("points-map");
    if (!el || !window.L) { return; }
    var points = pointsFromList();
    if (!points.length) { el.hidden = true; return; }
    el.classList.add("is-ready");  // shown only when the map can be drawn
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!el.dataset.tileUrl });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
    } else {
      drawOwnBase(map, el.dataset.baseUrl);
    }
    var bounds = [];
    points.forEach(function (p) {
      var label = p.name + " – " + (p.open ? el.dataset.openLabel : el.dataset.closedLabel);
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 8, weight: 2, color: "#14502f", fillColor: p.open ? "#1d6b45" : "#ffffff", fillOpacity: 1
      }).addTo(map);
      marker.bindTooltip(label);
      marker.on("click", function () {
        var card = document.getElementById("point-" + p.id);  // the list may be sorted since
        if (!card) { return; }
        card.scrollIntoView({ block: "nearest" });
        card.setAttribute("tabindex", "-1");
        card.focus();
      });
      bounds.push([p.lat, p.lon]);
    });
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 14 });
  }

  // The map is drawn on demand: Leaflet's CSS and script (about 160 KB) are fetched
  // only when the person presses "Show the map", so the list stays light.
  function loadLeaflet(button, done) {
    if (window.L) { done(); return; }
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = button.dataset.css;
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = button.dataset.js;
    script.onload = done;
    document.head.appendChild(script);
  }

  function initMapButton() {
    var button = document.getElementById("show-map");
    var el = document.getElementById("points-map");
    if (!button || !el || !pointsFromList().length) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      loadLeaflet(button, function () {
        initMap();
        button.setAttribute("aria-expanded", "true");
        button.hidden = true;
        el.setAttribute("tabindex", "-1");
        el.focus();  // the button is gone: keyboard users land on the map
      });
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

  // The wipe question only matters for data-bearing devices.
  function initReturnForm() {
    var choice = document.getElementById("wipe-choice");
    var types = document.getElementById("device-types");
    if (!choice || !types) { return; }
    function update() {
      var checked = types.querySelector("input:checked");
      choice.hidden = !!checked && checked.dataset.bearing === "no";
    }
    types.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    initMapButton();
    initLocate();
    initReturnForm();
  });
})();
