// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function autosubmit(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
  }

  // Show only the fieldset for the chosen kind of subject.
  function kindFields(root) {
    var select = root.querySelector("select[name=kind]");
    if (!select) return;
    function sync() {
      root.querySelectorAll(".kind-fields").forEach(function (fs) {
        fs.hidden = fs.dataset.kind !== select.value;
      });
    }
    select.addEventListener("change", sync);
    sync();
  }

  // Ask before submitting a form that cannot be undone (e.g. deleting a subject).
  function confirmForms(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  // After a failed submission, move focus to the error summary so that it is read out first.
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  function drawMap(root) {
    root.querySelectorAll("[data-map]").forEach(function (el) {
      if (!window.L || el.dataset.drawn) return;
      var source = document.getElementById(el.dataset.map);
      if (!source) return;
      var geometry = JSON.parse(source.textContent);
      el.dataset.drawn = "1";
      // No scroll-wheel zoom: scrolling the page over the map must keep scrolling the page.
      var map = L.map(el, {
        attributionControl: Boolean(el.dataset.tiles),
        scrollWheelZoom: false
      });
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "" }).addTo(map);
      }
      var layer = L.geoJSON(geometry, {
        style: { color: "#1b5e20", weight: 2, fillOpacity: 0.25 },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 8, color: "#1b5e20" });
        }
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 });
      } else {
        map.setView([0, 0], 2);
      }
      L.control.scale().addTo(map);
    });
  }

  function enhance(root) { autosubmit(root); kindFields(root); confirmForms(root); drawMap(root); }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); focusErrors(); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
