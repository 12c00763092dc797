/* The district drawn as SVG from GeoJSON (equirectangular); a click can send a chat location. */
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const LEVELS = { street: "街道", community: "社区", grid: "网格", micro_grid: "微网格" };
const ORDER = ["street", "community", "micro_grid", "grid"];
const WIDTH = 1000;
// On-screen label sizes in CSS pixels; the target first, then communities, then grids.
const LABEL_PX = { target: 15, community: 17, grid: 13 };
const rank = (label) => Object.keys(LABEL_PX).indexOf(label.dataset.kind);

function svg(tag, attributes) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, value);
  return element;
}

function hue(text) {
  let h = 0;
  for (const c of text) h = (h * 31 + c.codePointAt(0)) % 360;
  return h;
}

class DistrictMap {
  constructor(card, target) {
    this.card = card;
    this.target = target || null;   // the code of a grid to outline and name (the demo's)
    this.armedFor = null;
    this.banner = card.querySelector(".map-banner");
    this.info = card.querySelector(".map-info");
    this.svg = svg("svg", { class: "map-svg", role: "img", "aria-label": "网格地图" });
    card.querySelector(".map-body").append(this.svg);
    this.svg.addEventListener("click", (event) => this.clicked(event));
    card.querySelector(".map-cancel").addEventListener("click", () => this.disarm());
    new ResizeObserver(() => this.fitLabels()).observe(this.svg);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.disarm();
    });
  }

  async load(url) {
    const response = await fetch(url);
    const collection = await response.json();
    this.features = collection.features;
    this.project(this.features);
    this.draw();
  }

  project(features) {
    let minLng = Infinity, maxLng = -Infinity, minLat = Infinity, maxLat = -Infinity;
    for (const feature of features) {
      for (const [lng, lat] of this.points(feature.geometry)) {
        minLng = Math.min(minLng, lng); maxLng = Math.max(maxLng, lng);
        minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
      }
    }
    const kx = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
    const scale = WIDTH / ((maxLng - minLng) * kx || 1);
    this.frame = { minLng, maxLat, kx, scale };
    this.height = (maxLat - minLat) * scale;
    const pad = 12;
    this.svg.setAttribute("viewBox", `${-pad} ${-pad} ${WIDTH + 2 * pad} ${this.height + 2 * pad}`);
  }

  toXY([lng, lat]) {
    const f = this.frame;
    return [(lng - f.minLng) * f.kx * f.scale, (f.maxLat - lat) * f.scale];
  }

  toLngLat(x, y) {
    const f = this.frame;
    return [x / (f.kx * f.scale) + f.minLng, f.maxLat - y / f.scale];
  }

  points(geometry) {
    if (!geometry) return [];
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.flat(2);
  }

  pathData(geometry) {
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.map((rings) => rings.map((ring) => "M" + ring.map((p) => this.toXY(p)
      .map((v) => v.toFixed(1)).join(",")).join("L") + "Z").join("")).join("");
  }

  draw() {
    const layers = {};
    for (const level of ORDER) layers[level] = svg("g", { class: `layer-${level}` });
    const labels = svg("g", { class: "labels" });
    this.pins = svg("g", { class: "pins" });
    for (const feature of this.features) {
      const p = feature.properties;
      const layer = layers[p.level];
      if (!layer) continue;
      const path = svg("path", { d: this.pathData(feature.geometry), class: `area lvl-${p.level}`,
                                 "data-code": p.code });
      if (p.level === "micro_grid") path.style.fill = `hsl(${hue(p.parent || p.code)} 55% 80%)`;
      const title = svg("title");
      title.textContent = this.describe(p);
      path.append(title);
      path.addEventListener("mouseenter", () => { this.info.textContent = this.describe(p); });
      layer.append(path);
      if (p.level === "micro_grid") {
        const [x, y] = this.toXY(p.inside);
        layer.append(svg("circle", { cx: x, cy: y, r: 3, class: "spot", "data-code": p.code }));
      }
      const target = p.code === this.target;
      if (target) path.classList.add("target");
      if (p.level === "grid" || p.level === "community" || target) {
        const [x, y] = this.toXY(p.inside);
        const kind = target ? "target" : p.level;
        const label = svg("text", { x, y, class: `label label-${kind}`, "data-kind": kind,
                                    // the target's name above its spot, where the pin drops
                                    ...(target ? { dy: "-0.8em" } : {}) });
        label.textContent = p.name;
        labels.append(label);
      }
    }
    this.labels = labels;
    this.svg.replaceChildren(...ORDER.map((level) => layers[level]), labels, this.pins);
    this.fitLabels();
  }

  /* Labels keep a legible size on screen whatever the map's width: the SVG scales its
     drawing, so each label's font size is set in drawing units from the current scale, and a
     grid label that would overlap an earlier one (or the target's) is hidden. */
  fitLabels() {
    const toScreen = this.svg.getScreenCTM();
    if (!this.labels || !toScreen || !toScreen.a) return;
    const unitsPerPx = 1 / toScreen.a;   // the drawing is scaled alike in x and y
    const kept = [];
    const ordered = [...this.labels.children].sort((a, b) => rank(a) - rank(b));
    for (const label of ordered) {
      label.style.fontSize = `${LABEL_PX[label.dataset.kind] * unitsPerPx}px`;
      label.style.strokeWidth = `${3 * unitsPerPx}px`;
      label.style.display = "";
      let box = label.getBBox();
      const view = this.svg.viewBox.baseVal;
      const shift = Math.max(view.x - box.x, 0) - Math.max(box.x + box.width - view.x - view.width, 0);
      if (shift) {   // a name at the edge of the district stays inside the map
        label.setAttribute("x", Number(label.getAttribute("x")) + shift);
        box = label.getBBox();
      }
      const clash = kept.some((other) => box.x < other.x + other.width && other.x < box.x + box.width
        && box.y < other.y + other.height && other.y < box.y + box.height);
      if (clash) label.style.display = "none";
      else kept.push(box);
    }
  }

  describe(p) {
    const leader = p.leader ? ` · 网格长 ${p.leader}` : "";
    return `${p.name}（${LEVELS[p.level] || p.level} ${p.code}）${leader}`;
  }

  arm(pane) {
    if (this.armedFor) this.armedFor.setArmed(false);
    this.armedFor = pane;
    pane.setArmed(true);
    this.card.classList.add("armed");
    this.svg.classList.add("armed");
    this.banner.querySelector(".who").textContent = pane.options.title;
    // The banner says what to do next: bring it into sight wherever the map is on the page.
    const box = this.banner.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      this.card.scrollIntoView({ block: "start" });
    }
  }

  disarm() {
    if (this.armedFor) this.armedFor.setArmed(false);
    this.armedFor = null;
    this.card.classList.remove("armed");
    this.svg.classList.remove("armed");
  }

  clicked(event) {
    if (!this.frame) return;
    const point = this.svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const { x, y } = point.matrixTransform(this.svg.getScreenCTM().inverse());
    const [lng, lat] = this.toLngLat(x, y);
    const area = event.target.closest && event.target.closest("[data-code]");
    const feature = area && this.features.find((f) => f.properties.code === area.dataset.code);
    if (!this.armedFor) {
      this.info.textContent = feature ? this.describe(feature.properties)
        : "先点对话框里的定位按钮，再点地图发送位置。";
      return;
    }
    const pane = this.armedFor;
    this.disarm();
    this.dropPin(x, y);
    pane.sendLocation(lat, lng, feature ? feature.properties.name : "");
    const back = pane.root.getBoundingClientRect();
    if (back.top < 0 || back.bottom > window.innerHeight) pane.root.scrollIntoView({ block: "start" });
  }

  dropPin(x, y) {
    const pin = svg("g", { class: "pin", transform: `translate(${x},${y})` });
    pin.append(svg("circle", { r: 6 }));
    const marker = svg("use", { href: "/static/icons.svg#pin", x: -12, y: -30, width: 24,
                                height: 24 });
    pin.append(marker);
    this.pins.append(pin);
  }
}

window.DistrictMap = DistrictMap;
