/* One chat pane: message bubbles, choice buttons, text, photo and location — over /api/chat. */
"use strict";

function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
}

function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function make(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/* The bundled icons (icons.svg), so that no page needs an emoji font to be legible. */
const EMOJI_ICONS = {
  "📍": "pin", "📷": "camera", "💬": "chat", "🗺": "map", "🏠": "home", "🛵": "scooter",
  "🧑‍💼": "staff", "⏰": "alarm", "⏳": "hourglass", "⚠": "warning", "🏅": "medal",
  "📋": "clipboard", "📎": "clip", "📣": "megaphone", "📥": "inbox", "📰": "news", "⬆": "up",
  "🔁": "repeat", "🚨": "siren", "🔴": "dot-red", "🟡": "dot-yellow", "🟢": "dot-green",
  "⚪": "dot-white", "🟥": "square-red", "📞": "phone", "📱": "mobile", "🎤": "mic",
};
const EMOJI = new RegExp(`(${Object.keys(EMOJI_ICONS).sort((a, b) => b.length - a.length)
  .join("|")})\uFE0F?`, "gu");

function icon(name, label) {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const graphic = document.createElementNS(SVG_NS, "svg");
  graphic.setAttribute("class", `icon icon-${name}`);
  graphic.setAttribute("viewBox", "0 0 24 24");
  if (label) {
    graphic.setAttribute("role", "img");
    graphic.setAttribute("aria-label", label);
  } else {
    graphic.setAttribute("aria-hidden", "true");
  }
  const use = document.createElementNS(SVG_NS, "use");
  use.setAttribute("href", `/static/icons.svg#${name}`);
  graphic.append(use);
  return graphic;
}

/* Text whose known emoji are drawn as bundled icons; everything else stays plain text. */
function withIcons(element, text) {
  let last = 0;
  for (const match of text.matchAll(EMOJI)) {
    element.append(text.slice(last, match.index), icon(EMOJI_ICONS[match[1]]));
    last = match.index + match[0].length;
  }
  element.append(text.slice(last));
  return element;
}

const PRESSED_BEFORE = "这个按钮已经按过了，请按最新消息里的按钮，或直接输入。";

function iconButton(className, name, title) {
  const button = make("button", `icon-btn ${className}`);
  Object.assign(button, { type: "button", title });
  button.setAttribute("aria-label", title);
  button.append(icon(name));
  return button;
}

class ChatPane {
  /* options: session, title, icon, subtitle, name, hint, start {text, id, always},
     onLocate(pane), onArrival(pane) */
  constructor(root, options) {
    this.root = root;
    this.options = options;
    this.session = options.session;
    this.last = 0;
    this.remembered = new Remembered(this.session);
    this.replayed = 0;   // how many remembered bubbles of mine are on screen again
    this.build();
  }

  build() {
    const o = this.options;
    this.root.classList.add("pane");
    this.root.dataset.session = this.session;
    const header = make("header");
    const avatar = make("span", "avatar");
    avatar.append(icon(o.icon || "chat", o.title));
    header.append(avatar);
    const titles = make("div", "titles");
    titles.append(make("h2", "", o.title || "对话"), make("small", "subtitle", o.subtitle || ""));
    header.append(titles);
    this.header = header;
    this.log = make("div", "log");
    this.log.setAttribute("aria-live", "polite");
    this.form = make("form", "composer");
    this.fileInput = make("input");
    Object.assign(this.fileInput, { type: "file", accept: "image/jpeg,image/png", hidden: true,
                                    multiple: true });
    this.photoButton = iconButton("photo", "camera", "发送照片");
    this.locateButton = iconButton("locate", "pin", "在地图上选择位置");
    this.input = make("input", "text");
    Object.assign(this.input, { type: "text", placeholder: "输入消息…", autocomplete: "off" });
    this.sendButton = make("button", "send", "发送");
    this.sendButton.type = "submit";
    this.form.append(this.fileInput, this.photoButton, this.locateButton, this.input,
                     this.sendButton);
    this.root.replaceChildren(header, this.log, this.form);
    // A resized pane (a turned phone, a narrower window) keeps its newest message in view.
    if (window.ResizeObserver) new ResizeObserver(() => this.stick()).observe(this.log);
    if (o.hint) this.note(o.hint);

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.send({ text }, text);
    });
    this.photoButton.addEventListener("click", () => this.fileInput.click());
    this.fileInput.addEventListener("change", async () => {
      const files = [...this.fileInput.files];
      this.fileInput.value = "";
      for (const file of files) await this.sendPhoto(file);   // in order: an album
    });
    this.locateButton.addEventListener("click", () => {
      if (this.options.onLocate) this.options.onLocate(this);
    });
  }

  start() {
    this.poll();
  }

  async poll() {
    let first = true;
    for (;;) {
      try {
        const wait = first ? 0 : 20;
        const response = await fetch(
          `/api/chat/${this.session}/messages?after=${this.last}&wait=${wait}`);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = await response.json();
        if (first) this.remembered.check(body.messages[0]);
        else this.remembered.adopt(body.messages[0]);
        body.messages.forEach((message) => this.showBot(message));
        if (first) this.replayMine(Infinity);
        if (body.messages.length && !first) this.arrived();
        this.last = body.last;
        this.clearTrouble();
        if (first) {
          first = false;
          this.autoStart();
        }
      } catch (error) {
        this.trouble("连接中断，正在重试…");
        await pause(2000);
      }
    }
  }

  autoStart() {
    const start = this.options.start;
    if (start && (start.always || this.last === 0)) this.send({ text: start.text, id: start.id });
  }

  async send(body, echo) {
    if (echo !== undefined) this.showMine(echo, true);
    body.id = body.id || newId();
    if (this.options.name) body.name = this.options.name;
    const answer = await this.post(`/api/chat/${this.session}/send`, () => ({
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    }));
    if (body.button && answer && answer.answered === false) this.note(PRESSED_BEFORE);
  }

  async sendPhoto(file) {
    const bubble = this.showMine("📷", true);
    const image = make("img", "photo");
    image.src = URL.createObjectURL(file);
    image.alt = "照片";
    image.addEventListener("load", () => this.stick());
    bubble.append(image);
    const id = newId();
    await this.post(`/api/chat/${this.session}/photo`, () => {
      const form = new FormData();
      form.append("file", file);
      form.append("id", id);
      if (this.options.name) form.append("name", this.options.name);
      return { method: "POST", body: form };
    });
  }

  sendLocation(lat, lng, place) {
    const where = place ? `（${place}）` : "";
    this.send({ lat, lng }, `📍 位置 ${lat.toFixed(5)}, ${lng.toFixed(5)}${where}`);
  }

  /* A retry reuses the same body, so the server handles the message once. */
  async post(url, init) {
    for (let attempt = 1; attempt <= 3; attempt++) {
      let response;
      try {
        response = await fetch(url, init());
      } catch (error) {
        if (attempt === 3) this.note("发送失败，请检查网络后重试。", "error");
        else await pause(500 * attempt);
        continue;
      }
      if (response.ok) return response.json().catch(() => ({}));
      if (response.status < 500 || attempt === 3) {
        this.note(await this.reason(response), "error");
        return false;
      }
    }
    return false;
  }

  async reason(response) {
    try {
      const body = await response.json();
      if (typeof body.detail === "string") return body.detail;
    } catch (error) { /* not JSON: fall through */ }
    return `发送失败（${response.status}），请稍后再试。`;
  }

  showBot(message) {
    this.replayMine(message.id);
    const row = make("div", "msg bot");
    row.dataset.id = message.id;
    const bubble = withIcons(make("div", "bubble"), message.text || "");
    if (message.photo) {
      const image = make("img", "photo");
      Object.assign(image, { src: message.photo, alt: "照片" });
      image.addEventListener("load", () => this.stick());
      bubble.append(image);
    }
    this.showEvidence(bubble, message);
    row.append(bubble);
    if (message.choices && message.choices.length) {
      const choices = make("div", "choices");
      message.choices.forEach(([label, data], index) => {
        const button = withIcons(make("button"), label);
        button.type = "button";
        button.dataset.data = data;
        // One id per button: pressing it twice (or a retry) is handled once.
        const id = `m${message.id}-${index}`;
        if (this.remembered.chosen.includes(id)) button.classList.add("chosen");
        button.addEventListener("click", () => {
          if (button.classList.contains("chosen")) {
            // Pressed before (maybe before a reload): say so, rather than nothing at all.
            if (!button.dataset.at || Date.now() - Number(button.dataset.at) > 1500) {
              this.note(PRESSED_BEFORE);
            }
            return;
          }
          button.dataset.at = String(Date.now());
          button.classList.add("chosen");
          this.remembered.pressed(id);
          this.send({ button: data, id }, label);
        });
        choices.append(button);
      });
      row.append(choices);
    }
    this.append(row);
  }

  /* A new order's photos, voice note and pin (signed links, shown to this session only). */
  showEvidence(bubble, message) {
    (message.photos || []).forEach((url) => {
      const image = make("img", "photo");
      Object.assign(image, { src: url, alt: "现场照片" });
      image.addEventListener("load", () => this.stick());
      bubble.append(image);
    });
    if (message.voice) {
      const audio = make("audio", "voice");
      Object.assign(audio, { src: message.voice, controls: true, preload: "none" });
      bubble.append(audio);
    }
    const pin = message.location;
    if (pin && Number.isFinite(pin.lat) && Number.isFinite(pin.lng)) {
      const link = make("a", "pin");
      Object.assign(link, {
        href: `https://www.openstreetmap.org/?mlat=${pin.lat}&mlon=${pin.lng}#map=18/${pin.lat}/${pin.lng}`,
        target: "_blank", rel: "noopener noreferrer",
      });
      link.append(icon("pin"), `${pin.title || "位置"}（${pin.lat.toFixed(5)}, ${pin.lng.toFixed(5)}）`);
      bubble.append(link);
      if (this.options.onPin) this.options.onPin(pin.lat, pin.lng, pin.title);
    }
  }

  /* `fresh`: said now (remembered for a reload), not a remembered bubble shown again. */
  showMine(text, fresh) {
    const row = make("div", "msg me");
    const bubble = withIcons(make("div", "bubble"), text);
    row.append(bubble);
    this.append(row);
    if (fresh) {
      this.remembered.said(this.last, text);
      this.replayed = this.remembered.mine.length;
    }
    return bubble;
  }

  /* After a reload: my remembered bubbles said before the bot's message `beforeId`. */
  replayMine(beforeId) {
    const mine = this.remembered.mine;
    while (this.replayed < mine.length && mine[this.replayed].after < beforeId) {
      this.showMine(mine[this.replayed].text, false);
      this.replayed += 1;
    }
  }

  note(text, kind) {
    this.append(make("div", kind ? `note ${kind}` : "note", text));
  }

  trouble(text) {
    if (!this.troubleNote) {
      this.troubleNote = make("div", "note error", text);
      this.append(this.troubleNote);
    }
  }

  clearTrouble() {
    if (this.troubleNote) this.troubleNote.remove();
    this.troubleNote = null;
  }

  append(element) {
    this.log.append(element);
    this.stick();
  }

  /* The newest message and its buttons in view, also once a photo above them has loaded. */
  stick() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  arrived() {
    this.ping();
    if (this.options.onArrival) this.options.onArrival(this);
  }

  ping() {
    this.header.classList.remove("ping");
    void this.header.offsetWidth;
    this.header.classList.add("ping");
  }

  setArmed(armed) {
    this.root.classList.toggle("armed", armed);
  }
}

window.ChatPane = ChatPane;
window.newId = newId;
window.icon = icon;
window.withIcons = withIcons;
