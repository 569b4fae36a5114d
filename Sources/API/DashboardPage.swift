/// The dashboard served at `GET /` (docs/api.md): HTML, CSS and script in one string, so
/// an installed `p2pd` needs no files beside it and the page loads nothing from elsewhere.
///
/// The page holds no data and no secret. It takes the API token once — from a
/// `#token=…` fragment (then removed from the address bar) or a form — keeps it in
/// `sessionStorage`, and sends it with every call: `/v1/status`, `/metrics` and
/// `/v1/sync/folders` every 2 s,
/// `/v1/files/{cap}/chunks` when asked to show a capability's replica holders.
enum DashboardPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>p2pstore</title>
    <style>
    :root { --bg:#f7f7f5; --fg:#1d1d1f; --muted:#6e6e73; --line:#d9d9d6; --alive:#2e9e48; --suspect:#e0a100; --dead:#d23b2f; --left:#9a9a9a; --holder:#c2187a; }
    * { box-sizing: border-box; }
    body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); }
    header { display:flex; align-items:baseline; gap:1em; padding:12px 20px; border-bottom:1px solid var(--line); background:#fff; }
    header h1 { font-size:18px; margin:0; }
    header .node, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
    #message { color:var(--dead); }
    main { display:grid; grid-template-columns: minmax(320px, 460px) 1fr; gap:20px; padding:20px; }
    section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:14px 16px; }
    section h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 10px; }
    .figures { display:grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap:10px; }
    .figure b { display:block; font-size:20px; font-weight:600; }
    .figure span { color:var(--muted); font-size:12px; }
    table { width:100%; border-collapse:collapse; }
    th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); white-space:nowrap; }
    th { font-size:12px; color:var(--muted); font-weight:500; }
    td.num, th.num { text-align:right; }
    tr.holder td { background:#fbe6f1; }
    .state { display:inline-block; padding:1px 8px; border-radius:10px; color:#fff; font-size:12px; }
    .state.alive { background:var(--alive); } .state.suspect { background:var(--suspect); }
    .state.dead { background:var(--dead); } .state.left { background:var(--left); }
    .state.idle { background:var(--alive); } .state.error { background:var(--dead); }
    .state.starting, .state.scanning, .state.syncing { background:#3b6fd8; }
    td.reason { color:var(--dead); white-space:normal; }
    .ring-mark { display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:6px; vertical-align:middle; border:3px solid var(--holder); }
    .zone { display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:6px; vertical-align:middle; }
    svg text { font: 11px ui-monospace, "DejaVu Sans Mono", monospace; fill: var(--fg); }
    .legend { display:flex; flex-wrap:wrap; gap:12px; font-size:12px; color:var(--muted); margin-top:8px; }
    form { display:flex; gap:8px; }
    input[type=text], input[type=password] { flex:1; padding:6px 8px; border:1px solid var(--line); border-radius:6px; font-family: ui-monospace, monospace; }
    button { padding:6px 12px; border:1px solid var(--line); background:#fff; border-radius:6px; cursor:pointer; }
    #login { max-width:560px; margin:60px auto; }
    .hidden { display:none !important; }
    .wide { grid-column: 1 / -1; }
    </style>
    </head>
    <body>
    <header><h1>p2pstore</h1><span class="node" id="node"></span><span id="updated" class="muted"></span><span id="message"></span></header>
    <section id="login" class="hidden">
      <h2>API token</h2>
      <p>Paste this peer's API token (the file <span class="mono">api.token</span> in its home). It stays in this tab only.</p>
      <form id="login-form"><input id="token" type="password" autocomplete="off" placeholder="64 hex characters"><button>Open</button></form>
    </section>
    <main id="dashboard" class="hidden">
      <section>
        <h2>Ring</h2>
        <svg id="ring" viewBox="-50 0 500 400" width="100%" role="img" aria-label="the ring of peers"></svg>
        <div class="legend" id="legend"></div>
      </section>
      <section>
        <h2>Network</h2>
        <div class="figures" id="figures"></div>
        <h2 style="margin-top:16px">Durability (this peer's chunks, last repair pass)</h2>
        <div class="figures" id="durability"></div>
        <h2 style="margin-top:16px">Transfer rates (this peer)</h2>
        <div class="figures" id="rates"></div>
        <h2 style="margin-top:16px">Replica holders of a file</h2>
        <form id="cap-form"><input id="cap" type="text" placeholder="p2p1:… capability" autocomplete="off"><button>Show</button></form>
        <p id="cap-result" class="muted"></p>
      </section>
      <section class="wide">
        <h2>Peers</h2>
        <table id="peers"><thead><tr>
          <th>Node</th><th>State</th><th>Zone</th><th>Address</th><th class="num">Used / capacity</th><th class="num">Chunks</th><th class="num">Incarnation</th><th class="num">Holds</th>
        </tr></thead><tbody></tbody></table>
      </section>
      <section class="wide">
        <h2>Synced folders (this peer)</h2>
        <table id="folders"><thead><tr>
          <th>Folder</th><th>State</th><th class="num">Files</th><th class="num">Size</th><th class="num">Pending</th><th class="num">Conflicts</th><th class="num">Other devices</th><th>Problem</th>
        </tr></thead><tbody></tbody></table>
        <p id="folders-empty" class="muted"></p>
      </section>
    </main>
    <script>
    "use strict";
    const TOKEN_KEY = "p2pstore.apiToken";
    const STATE_COLOURS = { alive: "var(--alive)", suspect: "var(--suspect)", dead: "var(--dead)", left: "var(--left)" };
    const ZONE_COLOURS = ["#3b6fd8", "#8e44ad", "#16a085", "#d35400", "#2c3e50", "#c0392b", "#7f8c8d", "#27ae60"];
    let holders = {};          // nodeID -> chunks of the chosen capability it holds
    let lastMetrics = null;    // { at, values } of the previous scrape, for rates
    let timer = null;

    // A token in the fragment (#token=…) is taken once and removed from the address bar;
    // a capability there (&cap=…) is shown right away.
    let initialCapability = "";
    (function takeFragment() {
      const token = /(?:^#|&)token=([^&]+)/.exec(location.hash);
      const cap = /(?:^#|&)cap=([^&]+)/.exec(location.hash);
      if (token) sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(token[1]));
      if (cap) initialCapability = decodeURIComponent(cap[1]);
      if (token || cap) history.replaceState(null, "", location.pathname + location.search);
    })();

    function token() { return sessionStorage.getItem(TOKEN_KEY); }

    async function api(path) {
      const response = await fetch(path, { headers: { Authorization: "Bearer " + token() }, cache: "no-store" });
      if (response.status === 401) { sessionStorage.removeItem(TOKEN_KEY); showLogin("The peer refused the token."); throw new Error("401"); }
      if (!response.ok) {
        let text = "HTTP " + response.status;
        try { text = (await response.json()).error || text; } catch (e) {}
        throw new Error(text);
      }
      return response;
    }

    function showLogin(message) {
      clearInterval(timer); timer = null;
      document.getElementById("dashboard").classList.add("hidden");
      document.getElementById("login").classList.remove("hidden");
      document.getElementById("message").textContent = message || "";
    }

    function start() {
      document.getElementById("login").classList.add("hidden");
      document.getElementById("dashboard").classList.remove("hidden");
      refresh();
      timer = setInterval(refresh, 2000);
    }

    // The ring position of a peer: the first 8 bytes of its NodeID (base32, RFC 4648) as a fraction of 2^64.
    function ringFraction(nodeID) {
      const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
      let value = 0n;
      for (const character of nodeID.slice(0, 13)) value = (value << 5n) | BigInt(Math.max(0, alphabet.indexOf(character)));
      value >>= 1n;  // 13 characters are 65 bits; keep the first 64
      return Number(value) / 18446744073709551616;
    }

    function zoneColour(zone, zones) { return ZONE_COLOURS[zones.indexOf(zone) % ZONE_COLOURS.length]; }

    // SVG elements need the SVG namespace: taken from the page's own <svg>.
    const SVG_NAMESPACE = document.getElementById("ring").namespaceURI;

    function element(name, attributes, text) {
      const node = attributes.svg ? document.createElementNS(SVG_NAMESPACE, name) : document.createElement(name);
      for (const [key, value] of Object.entries(attributes)) if (key !== "svg") node.setAttribute(key, value);
      if (text !== undefined) node.textContent = text;
      return node;
    }

    function bytes(value) {
      const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
      let index = 0;
      while (value >= 1024 && index < units.length - 1) { value /= 1024; index++; }
      return (index === 0 ? value.toFixed(0) : value.toFixed(1)) + " " + units[index];
    }

    function drawRing(peers, zones) {
      const svg = document.getElementById("ring");
      svg.replaceChildren();
      const cx = 200, cy = 200, r = 135;
      svg.appendChild(element("circle", { svg: 1, cx, cy, r, fill: "none", stroke: "#d9d9d6", "stroke-width": 14 }));
      const placed = peers.map(peer => ({ peer, fraction: ringFraction(peer.nodeID) })).sort((a, b) => a.fraction - b.fraction);
      // Each peer's arc runs from its position to the next peer's, coloured by its zone.
      placed.forEach((entry, index) => {
        const next = placed[(index + 1) % placed.length];
        let end = next.fraction;
        if (end <= entry.fraction) end += 1;
        if (placed.length === 1) end = entry.fraction + 0.9999;
        const a0 = 2 * Math.PI * entry.fraction - Math.PI / 2, a1 = 2 * Math.PI * end - Math.PI / 2;
        const large = a1 - a0 > Math.PI ? 1 : 0;
        const path = "M " + (cx + r * Math.cos(a0)) + " " + (cy + r * Math.sin(a0)) + " A " + r + " " + r + " 0 " + large + " 1 " + (cx + r * Math.cos(a1)) + " " + (cy + r * Math.sin(a1));
        svg.appendChild(element("path", { svg: 1, d: path, fill: "none", stroke: zoneColour(entry.peer.zone, zones), "stroke-width": 14, "stroke-opacity": entry.peer.state === "alive" ? 0.55 : 0.2 }));
      });
      for (const { peer, fraction } of placed) {
        const angle = 2 * Math.PI * fraction - Math.PI / 2;
        const x = cx + r * Math.cos(angle), y = cy + r * Math.sin(angle);
        const group = element("g", { svg: 1, "data-node": peer.nodeID, "data-state": peer.state });
        if (holders[peer.nodeID]) group.appendChild(element("circle", { svg: 1, cx: x, cy: y, r: 17, fill: "none", stroke: "var(--holder)", "stroke-width": 4 }));
        group.appendChild(element("circle", { svg: 1, cx: x, cy: y, r: peer.isSelf ? 11 : 9, fill: STATE_COLOURS[peer.state] || "var(--left)", stroke: zoneColour(peer.zone, zones), "stroke-width": 4 }));
        const lx = cx + (r + 24) * Math.cos(angle), ly = cy + (r + 24) * Math.sin(angle);
        const label = element("text", { svg: 1, x: lx, y: ly + 4, "text-anchor": Math.cos(angle) > 0.3 ? "start" : Math.cos(angle) < -0.3 ? "end" : "middle" }, peer.nodeID.slice(0, 8));
        group.appendChild(label);
        group.appendChild(element("title", { svg: 1 }, peer.nodeID + " — " + peer.state + ", zone " + peer.zone));
        svg.appendChild(group);
      }
      const alive = peers.filter(peer => peer.state === "alive").length;
      svg.appendChild(element("text", { svg: 1, x: cx, y: cy - 4, "text-anchor": "middle", style: "font-size:28px;font-weight:600" }, alive + "/" + peers.length));
      svg.appendChild(element("text", { svg: 1, x: cx, y: cy + 18, "text-anchor": "middle" }, "peers alive"));

      const legend = document.getElementById("legend");
      legend.replaceChildren();
      // Every mark explained: the fill is the state, the rim and arc the zone, the larger
      // dot this peer, a ring a holder of the file asked about.
      const entries = ["alive", "suspect", "dead", "left"].map(state => [STATE_COLOURS[state], "fill: " + state])
        .concat(zones.map(zone => [zoneColour(zone, zones), "rim and arc: zone " + zone]));
      for (const [colour, text] of entries) {
        const item = element("span", {});
        item.appendChild(element("span", { class: "zone", style: "background:" + colour }));
        item.appendChild(document.createTextNode(text));
        legend.appendChild(item);
      }
      legend.appendChild(element("span", {}, "larger dot: this peer (* in the table)"));
      const ring = element("span", { "data-legend": "holder" });
      ring.appendChild(element("span", { class: "ring-mark" }));
      ring.appendChild(document.createTextNode("ring: holds chunks of the file shown"));
      legend.appendChild(ring);
    }

    function figure(container, value, label) {
      const item = element("div", { class: "figure" });
      item.appendChild(element("b", {}, value));
      item.appendChild(element("span", {}, label));
      container.appendChild(item);
    }

    function render(status) {
      document.getElementById("node").textContent = status.node.slice(0, 12);
      document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
      const zones = [...new Set(status.peers.map(peer => peer.zone))].sort();
      drawRing(status.peers, zones);

      const figures = document.getElementById("figures");
      figures.replaceChildren();
      const count = state => status.peers.filter(peer => peer.state === state).length;
      const used = status.peers.filter(peer => peer.state !== "left").reduce((sum, peer) => sum + peer.usedBytes, 0);
      const capacity = status.peers.filter(peer => peer.state === "alive").reduce((sum, peer) => sum + peer.capacityBytes, 0);
      figure(figures, status.network.replicas + " / " + status.network.writeQuorum, "replicas N / write quorum W");
      figure(figures, count("alive") + " / " + status.peers.length, "peers alive");
      figure(figures, String(count("suspect") + count("dead")), "suspect or dead");
      figure(figures, String(zones.length), zones.length === 1 ? "zone" : "zones");
      figure(figures, bytes(used), "stored, all copies");
      figure(figures, bytes(capacity), "capacity of alive peers");
      figure(figures, Math.round(status.network.removalGraceSeconds) + " s", "removal grace");

      const body = document.querySelector("#peers tbody");
      body.replaceChildren();
      for (const peer of status.peers) {
        const row = element("tr", { "data-node": peer.nodeID, "data-state": peer.state, class: holders[peer.nodeID] ? "holder" : "" });
        const name = element("td", { class: "mono", title: peer.nodeID }, peer.nodeID.slice(0, 12) + (peer.isSelf ? " *" : ""));
        const state = element("td", {});
        state.appendChild(element("span", { class: "state " + peer.state }, peer.state));
        const zone = element("td", {});
        zone.appendChild(element("span", { class: "zone", style: "background:" + zoneColour(peer.zone, zones) }));
        zone.appendChild(document.createTextNode(peer.zone));
        row.append(name, state, zone,
          element("td", { class: "mono" }, peer.address),
          element("td", { class: "num" }, bytes(peer.usedBytes) + " / " + bytes(peer.capacityBytes)),
          element("td", { class: "num" }, String(peer.chunkCount)),
          element("td", { class: "num" }, String(peer.incarnation)),
          element("td", { class: "num" }, holders[peer.nodeID] ? String(holders[peer.nodeID]) : ""));
        body.appendChild(row);
      }
    }

    // Sums of every sample of a metric family in Prometheus text, by name; each labelled
    // sample also by its name and labels as written (`p2p_durability_chunks{replicas="at_n"}`).
    function parseMetrics(text) {
      const values = {};
      for (const line of text.split("\n")) {
        if (!line || line.startsWith("#")) continue;
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
        if (!match) continue;
        values[match[1]] = (values[match[1]] || 0) + Number(match[3]);
        if (match[2]) values[match[1] + match[2]] = Number(match[3]);
      }
      return values;
    }

    function renderDurability(values) {
      const durability = document.getElementById("durability");
      durability.replaceChildren();
      const chunks = state => String(values['p2p_durability_chunks{replicas="' + state + '"}'] || 0);
      figure(durability, chunks("at_n"), "chunks at N copies");
      figure(durability, chunks("below_n"), "chunks below N");
      figure(durability, chunks("zero"), "chunks with no confirmed copy");
      figure(durability, String(values["p2p_repair_backlog"] || 0), "copies still to repair");
      figure(durability, String(values["p2p_repair_passes_total"] || 0), "repair passes finished");
    }

    function renderFolders(folders) {
      const body = document.querySelector("#folders tbody");
      body.replaceChildren();
      document.getElementById("folders-empty").textContent = folders.length ? "" : "No synced folders: p2p sync add DIR";
      for (const folder of folders) {
        const row = element("tr", { "data-folder": folder.folderID, "data-state": folder.state });
        const name = element("td", { class: "mono", title: "folder " + folder.folderID }, folder.path);
        const state = element("td", {});
        state.appendChild(element("span", { class: "state " + folder.state }, folder.state));
        row.append(name, state,
          element("td", { class: "num" }, String(folder.files)),
          element("td", { class: "num" }, bytes(folder.bytes)),
          element("td", { class: "num" }, String(folder.pending)),
          element("td", { class: "num" }, String(folder.conflicts.length)),
          element("td", { class: "num" }, String(folder.devices.length)),
          element("td", { class: "reason" }, folder.lastError || ""));
        body.appendChild(row);
      }
    }

    function renderRates(values) {
      const now = Date.now();
      const rates = document.getElementById("rates");
      if (lastMetrics) {
        const seconds = Math.max((now - lastMetrics.at) / 1000, 0.001);
        const rate = name => Math.max(0, ((values[name] || 0) - (lastMetrics.values[name] || 0)) / seconds);
        rates.replaceChildren();
        figure(rates, bytes(rate("p2p_put_bytes_total")) + "/s", "stored (" + rate("p2p_put_operations_total").toFixed(1) + " files/s)");
        figure(rates, bytes(rate("p2p_get_bytes_total")) + "/s", "read (" + rate("p2p_get_operations_total").toFixed(1) + " files/s)");
        figure(rates, rate("p2p_rpc_requests_total").toFixed(1) + "/s", "RPCs served");
        figure(rates, String(values["p2p_hints_pending"] || 0), "hints pending");
      }
      lastMetrics = { at: now, values };
    }

    async function refresh() {
      try {
        const status = await (await api("/v1/status")).json();
        render(status);
        document.getElementById("message").textContent = "";
      } catch (error) {
        if (error.message !== "401") document.getElementById("message").textContent = "status: " + error.message;
        return;
      }
      try {
        const values = parseMetrics(await (await api("/metrics")).text());
        renderRates(values);
        renderDurability(values);
      } catch (error) {}
      try {
        renderFolders((await (await api("/v1/sync/folders")).json()).folders);
      } catch (error) {
        if (error.message !== "401") document.getElementById("folders-empty").textContent = "folders: " + error.message;
      }
    }

    document.getElementById("login-form").addEventListener("submit", event => {
      event.preventDefault();
      const value = document.getElementById("token").value.trim();
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      document.getElementById("token").value = "";
      start();
    });

    document.getElementById("cap-form").addEventListener("submit", event => {
      event.preventDefault();
      showHolders(document.getElementById("cap").value.trim());
    });

    async function showHolders(cap) {
      const result = document.getElementById("cap-result");
      holders = {};
      if (cap) {
        result.textContent = "locating…";
        try {
          const report = await (await api("/v1/files/" + encodeURIComponent(cap) + "/chunks")).json();
          for (const chunk of report.chunks) for (const holder of chunk.holders) holders[holder] = (holders[holder] || 0) + 1;
          const under = report.chunks.filter(chunk => chunk.holders.length === 0).length;
          result.textContent = report.chunks.length + " chunks on " + Object.keys(holders).length + " peers" + (under ? ", " + under + " held by no reachable peer" : "") + "; holders are ringed on the ring and marked in the table.";
        } catch (error) {
          result.textContent = error.message;
        }
      } else {
        result.textContent = "";
      }
      refresh();
    }

    if (token()) {
      start();
      if (initialCapability) {
        document.getElementById("cap").value = initialCapability;
        showHolders(initialCapability);
      }
    } else {
      showLogin();
    }
    </script>
    </body>
    </html>
    """#
}
