/* The demo page: a resident, a rider and a grid leader side by side, sharing one map. */
"use strict";

(async () => {
  const info = await (await fetch("/api/demo")).json();
  const leader = info.leader;
  const map = new DistrictMap(document.getElementById("map"), leader && leader.grid_code);
  const onLocate = (pane) => map.arm(pane);
  const panes = [
    new ChatPane(document.getElementById("pane-resident"), {
      session: info.sessions.resident, title: "居民", icon: "home", name: "王阿姨",
      subtitle: "报事 · 跟进 · 评价", start: { text: "/start", id: "start" }, onLocate,
    }),
    new ChatPane(document.getElementById("pane-rider"), {
      session: info.sessions.rider, title: "骑手", icon: "scooter", name: "骑手小李",
      subtitle: "流动网格员 · 随手拍", start: { text: "/start", id: "start" }, onLocate,
    }),
    new ChatPane(document.getElementById("pane-leader"), {
      session: info.sessions.leader, title: "网格长", icon: "staff", name: leader && leader.name,
      subtitle: leader ? `${leader.name} · ${leader.grid}` : "网格长",
      hint: leader ? `您是「${leader.grid}」的网格长。居民报事后，新工单会立即出现在这里。` : "",
      onLocate,
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
