/* The demo page: a resident, a rider, a grid leader and the street's dispatcher side by side,
   sharing one map. On a phone the panes stack: a notice says when one out of sight receives. */
"use strict";

/* "网格长 收到新消息 ↓": shown while a pane that just received is off-screen; a tap goes there. */
class ArrivalNotice {
  constructor(button) {
    this.button = button;
    this.pane = null;
    button.addEventListener("click", () => {
      if (this.pane) this.pane.root.scrollIntoView({ block: "start" });
      this.hide();
    });
    window.addEventListener("scroll", () => {
      if (this.pane && ArrivalNotice.inSight(this.pane.root)) this.hide();
    }, { passive: true });
  }

  static inSight(element) {
    const box = element.getBoundingClientRect();
    return box.bottom > 80 && box.top < window.innerHeight - 80;
  }

  arrived(pane) {
    if (ArrivalNotice.inSight(pane.root)) return;
    this.pane = pane;
    this.button.textContent = `${pane.options.title} 收到新消息 ↓`;
    this.button.hidden = false;
  }

  hide() {
    this.pane = null;
    this.button.hidden = true;
  }
}

(async () => {
  const info = await (await fetch("/api/demo")).json();
  const { leader, dispatcher } = info;
  const map = new DistrictMap(document.getElementById("map"), leader && leader.grid_code);
  const notice = new ArrivalNotice(document.querySelector(".arrived"));
  const common = { onLocate: (pane) => map.arm(pane), onArrival: (pane) => notice.arrived(pane) };
  const panes = [
    new ChatPane(document.getElementById("pane-resident"), {
      ...common, session: info.sessions.resident, title: "居民", icon: "home", name: "王阿姨",
      subtitle: "报事 · 跟进 · 评价", start: { text: "/start", id: "start" },
    }),
    new ChatPane(document.getElementById("pane-rider"), {
      ...common, session: info.sessions.rider, title: "骑手", icon: "scooter", name: "骑手小李",
      subtitle: "流动网格员 · 随手拍", start: { text: "/start", id: "start" },
    }),
    new ChatPane(document.getElementById("pane-leader"), {
      ...common, session: info.sessions.leader, title: "网格长", icon: "staff",
      name: leader && leader.name, subtitle: leader ? `${leader.name} · ${leader.grid}` : "网格长",
      hint: leader ? `您是「${leader.grid}」的网格长。居民报事后，新工单会立即出现在这里。` : "",
    }),
    new ChatPane(document.getElementById("pane-dispatcher"), {
      ...common, session: info.sessions.dispatcher, title: "街道调度", icon: "megaphone",
      name: dispatcher && dispatcher.name,
      subtitle: dispatcher ? `${dispatcher.name} · ${dispatcher.grid}` : "街道调度",
      hint: dispatcher ? `您是「${dispatcher.grid}」的调度员。城管类（如井盖）和无人承接的工单会出现在这里。` : "",
    }),
  ];
  // Staff panes open the console in one click (a one-time link, as /console sends in chat).
  const consoleLink = make("a", "console-link", "打开工作台");
  Object.assign(consoleLink, { href: "/console/demo/leader", target: "_blank", rel: "noopener" });
  panes[2].header.append(consoleLink);
  panes.forEach((pane) => pane.start());
  await map.load("/api/district.geojson");
  document.body.dataset.ready = "yes";
})();
