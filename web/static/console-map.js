/* The staff console's map: the grid polygons are the map (no tiles), coloured by the lights of
   their open orders; pins for the open orders; a heat layer of what was filed in the period.
   Everything drawn comes from the page's JSON block; every word in it from the catalogue. */
"use strict";

(function () {
  const source = document.getElementById("map-data");
  const box = document.getElementById("map");
  if (!source || !box || !window.L) return;
  const data = JSON.parse(source.textContent);
  const words = data.words;
  const COLOURS = { red: "#b3261e", yellow: "#d69e2e", green: "#1e7d34", "": "#8a94a3" };

  box.textContent = "";
  const map = L.map(box, { attributionControl: false, zoomSnap: 0.25, maxZoom: 19 });

  const outlines = L.geoJSON(data.outlines, {
    interactive: false,
    style: { color: "#1d2733", weight: 3, fill: false },
  });
  const fine = L.geoJSON(data.fine, {
    interactive: false,
    style: { color: "#4a5563", weight: 1, fill: false, dashArray: "3 4" },
  });
  const cells = L.geoJSON(data.cells, {
    style: (feature) => ({
      className: `cell cell-${feature.properties.code}`,
      color: "#4a5563",
      weight: 1.5,
      fillColor: COLOURS[feature.properties.light] || COLOURS[""],
      fillOpacity: feature.properties.light ? 0.4 : 0.12,
    }),
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      layer.bindTooltip(p.tooltip, { sticky: true });
      layer.on("click", () => { window.location.assign(p.href); });
    },
  });

  function line(label, value) {
    const row = document.createElement("div");
    const name = document.createElement("span");
    name.className = "label";
    name.textContent = words.field.replace("{label}", label);
    row.append(name, document.createTextNode(value));
    return row;
  }

  function popup(pin) {
    const card = document.createElement("div");
    card.className = "pin-card";
    const link = document.createElement("a");
    link.href = pin.href;
    link.textContent = pin.code;
    const title = document.createElement("strong");
    title.append(link);
    if (pin.light) {
      const light = document.createElement("span");
      light.className = `light ${pin.light}`;
      light.textContent = words.lights[pin.light];
      title.append(" ", light);
    }
    const c = words.columns;
    card.append(title, line(c.category, pin.category), line(c.place, pin.place),
                line(c.state, pin.state), line(c.due, pin.due));
    return card;
  }

  const pins = L.layerGroup(data.pins.map((pin) =>
    L.circleMarker([pin.lat, pin.lng], {
      className: "pin", radius: 7, color: "#ffffff", weight: 2,
      fillColor: COLOURS[pin.light] || COLOURS[""], fillOpacity: 0.95,
    }).bindPopup(() => popup(pin))));

  // The busiest spot at half its count shows red: one busy spot does not wash out the rest.
  const most = data.heat.reduce((top, point) => Math.max(top, point[2]), 1);
  const heat = L.heatLayer(data.heat, {
    radius: 28, blur: 20, maxZoom: 17, max: Math.max(1, most / 2), minOpacity: 0.2,
  });

  const layers = {};
  layers[words.layers.cells] = cells;
  layers[words.layers.heat] = heat;
  layers[words.layers.pins] = pins;
  for (const layer of [cells, fine, outlines, heat, pins]) layer.addTo(map);
  L.control.layers(null, layers, { collapsed: false }).addTo(map);

  const bounds = L.latLngBounds([]);
  for (const layer of [cells, outlines]) {
    if (layer.getLayers().length) bounds.extend(layer.getBounds());
  }
  for (const pin of data.pins) bounds.extend([pin.lat, pin.lng]);
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  else map.setView([35, 105], 4);   // nothing to show: China, whole
  box.dataset.ready = "1";
})();
