/* One chat in a page: what a deep link /chat?start=inv_CODE opens (it binds staff by invite). */
"use strict";

(async () => {
  const params = new URLSearchParams(location.search);
  let session = localStorage.getItem("gridbot-session");
  if (!session) {
    session = "web-" + newId().replace(/[^A-Za-z0-9]/g, "").slice(0, 24);
    localStorage.setItem("gridbot-session", session);
  }
  const code = (params.get("start") || "").replace(/[^A-Za-z0-9_-]/g, "").slice(0, 60);
  const start = code ? { text: `/start ${code}`, id: `start-${code}`, always: true }
                     : { text: "/start", id: "start" };
  const map = new DistrictMap(document.getElementById("map"));
  const pane = new ChatPane(document.getElementById("pane"), {
    session, title: "网格通", icon: "chat", subtitle: "锦江街道 · 网格化服务",
    name: params.get("name") || "", start, onLocate: (p) => map.arm(p),
  });
  pane.start();
  await map.load("/api/district.geojson");
  document.body.dataset.ready = "yes";
})();
