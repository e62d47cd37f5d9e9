// The registry map: points fetched from the map endpoint, each with a popup linking to its page.
// Progressive enhancement only: the table beside the map lists the same recognitions.
(function () {
  "use strict";

  var COLOURS = { active: "#1b5e20", suspended: "#b3261e", expired: "#607d8b" };

  // The collection names each code once, in the page's language (its "labels" member).
  function label(labels, kind, code, standard) {
    var table = (labels || {})[kind] || {};
    if (standard !== undefined) table = table[standard] || {};
    return table[code] || code;
  }

  // Built from DOM nodes, never from HTML text: names come from the registry's users.
  function popup(properties, labels) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.name;
    var strong = document.createElement("strong");
    strong.appendChild(link);
    box.appendChild(strong);
    var facts = document.createElement("div");
    facts.textContent = [
      label(labels, "standard", properties.standard),
      label(labels, "level", properties.level, properties.standard),
      label(labels, "tier", properties.tier),
      label(labels, "status", properties.status)
    ].filter(Boolean).join(" · ");
    box.appendChild(facts);
    var serial = document.createElement("small");
    serial.textContent = properties.serial;
    box.appendChild(serial);
    return box;
  }

  function drawRegistryMap(root) {
    root.querySelectorAll("[data-registry-map]").forEach(function (el) {
      if (!window.L || el.dataset.drawn) return;
      el.dataset.drawn = "1";
      el.setAttribute("aria-busy", "true");
      // Canvas: thousands of points draw far faster than as SVG elements.
      var map = L.map(el, {
        preferCanvas: true,
        attributionControl: Boolean(el.dataset.tiles),
        scrollWheelZoom: false,
        worldCopyJump: true
      });
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "" }).addTo(map);
      }
      map.setView([20, 0], 2);
      L.control.scale().addTo(map);
      var status = el.parentNode.querySelector("[data-map-status]");
      fetch(el.dataset.registryMap, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (collection) {
          var layer = L.geoJSON(collection, {
            pointToLayer: function (feature, latlng) {
              var colour = COLOURS[feature.properties.status] || COLOURS.expired;
              return L.circleMarker(latlng, { radius: 5, weight: 1, color: colour, fillColor: colour, fillOpacity: 0.7 });
            },
            onEachFeature: function (feature, marker) {
              marker.bindPopup(function () { return popup(feature.properties, collection.labels); });
            }
          }).addTo(map);
          var bounds = layer.getBounds();
          if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 8 });
          el.setAttribute("aria-busy", "false");
        })
        .catch(function () {
          el.setAttribute("aria-busy", "false");
          if (status) status.hidden = false;
        });
    });
  }

  function printButtons(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawRegistryMap(document); printButtons(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawRegistryMap(event.target); });
})();
