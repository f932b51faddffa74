// The screening desk: find or register a person, check them in and enter their readings on one
// page, with or without a signal. The roster (from desk/data/, masked) and the queue of the
// educator's work live in IndexedDB (idb); every change is queued with an id made here and sent
// to POST /api/sync/, which applies each item once. Grades come from deskRule over the server's
// rule table (bp.rule_table()). Corrections of readings already on the server go to
// /api/bp-readings/<id>/ (audited there) and need the signal.
(function () {
  "use strict";
  var configNode = document.getElementById("desk-config");
  if (!configNode) return;
  var cfg = JSON.parse(configNode.textContent);
  var T = cfg.strings;
  var rule = cfg.rule;
  var $ = function (id) { return document.getElementById(id); };
  var rosterKey = "event:" + cfg.event.id;
  var db = null;
  var roster = null;          // {key, user, event, saved_at, expires_at, residents: [...]}
  var queue = [];             // [{id, op, seq, state, reason, body}]
  var current = null;         // key of the selected person (server id or device id)
  var editing = null;         // {source: "queue" | "server", id}
  var acknowledged = {};      // person key → true once the urgent notice was acknowledged
  var syncing = false;

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function say(text, isError) {
    var node = $("desk-message");
    node.textContent = text || "";
    node.className = "desk-message" + (isError ? " error" : "");
  }
  function online() { return navigator.onLine; }
  function maskPhone(phone) {
    var digits = (phone || "").replace(/\D/g, "");
    return digits.length >= 7 ? digits.slice(0, 3) + "****" + digits.slice(-4) : "";
  }

  // Storage ----------------------------------------------------------------------------------
  function openStore() {
    return idb.openDB("healthedu-desk", 1, {
      upgrade: function (d) {
        d.createObjectStore("roster", { keyPath: "key" });
        d.createObjectStore("queue", { keyPath: "id" });
      },
    });
  }
  function saveRoster() { return roster ? db.put("roster", roster) : Promise.resolve(); }
  function putItem(item) { return db.put("queue", item); }
  function dropItem(id) {
    queue = queue.filter(function (i) { return i.id !== id; });
    return db.delete("queue", id);
  }

  function load() {
    return openStore().then(function (d) {
      db = d;
      return Promise.all([db.getAll("queue"), db.get("roster", rosterKey), db.getAll("roster")]);
    }).then(function (got) {
      // Another user's roster on this device (a shared tablet) is dropped; their unsent items
      // stay, unseen, until they open the desk again (or sign-out clears the device).
      queue = got[0].filter(function (i) { return i.user === cfg.user; }).sort(function (a, b) { return a.seq - b.seq; });
      roster = got[1] && got[1].user === cfg.user ? got[1] : null;
      if (got[2].some(function (r) { return r.user !== cfg.user; })) {
        return db.clear("roster").then(function () { roster = null; });
      }
      if (roster && new Date(roster.expires_at) < new Date()) {
        roster = null;
        return db.delete("roster", rosterKey);
      }
    }).then(function () {
      if (!online()) return;
      return fetch(cfg.urls.data, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (data) { data.key = rosterKey; roster = data; return saveRoster(); })
        .catch(function () { /* keep the device's copy */ });
    }).then(function () {
      if (!roster) {
        say(T.no_data, true);
        // Walk-ups may still be registered; what the server answers fills this copy.
        var now = new Date();
        roster = { key: rosterKey, user: cfg.user, event: cfg.event.id, saved_at: now.toISOString(),
          expires_at: new Date(now.getTime() + cfg.ttl_seconds * 1000).toISOString(), residents: [] };
      }
      render();
      sync(false);
    });
  }

  // The people: the roster with the queue laid over it ----------------------------------------
  function people() {
    var list = (roster ? roster.residents : []).map(function (p) {
      return { key: p.id, name: p.name, phone: p.phone, born: p.born, adult: p.adult,
        checked_in: p.checked_in, readings: p.readings.slice() };
    });
    var byKey = {};
    list.forEach(function (p) { byKey[p.key] = p; });
    queue.forEach(function (item) {
      var b = item.body;
      if (item.op === "resident") {
        var born = b.birth_date.slice(0, 7);
        var walkup = { key: item.id, name: b.name, phone: maskPhone(b.phone), born: born,
          adult: ageOn(b.birth_date, cfg.event.starts_at) >= 18, checked_in: false, readings: [], queued: true };
        list.push(walkup);
        byKey[item.id] = walkup;
      }
    });
    queue.forEach(function (item) {
      var p = byKey[item.body.resident];
      if (!p) return;
      if (item.op === "check_in") p.checked_in = true;
      if (item.op === "reading") {
        p.checked_in = true;
        p.readings.push({ queued: item.id, systolic: item.body.systolic, diastolic: item.body.diastolic,
          pulse: item.body.pulse, measured_at: item.body.measured_at, state: item.state });
      }
    });
    list.forEach(function (p) {
      p.readings.sort(function (a, b) { return a.measured_at < b.measured_at ? -1 : 1; });
    });
    return list;
  }
  function person(key) {
    return people().filter(function (p) { return String(p.key) === String(key); })[0] || null;
  }
  function ageOn(birth, when) {
    var b = new Date(birth + "T00:00:00"), d = new Date(when);
    var age = d.getFullYear() - b.getFullYear();
    if (d.getMonth() < b.getMonth() || (d.getMonth() === b.getMonth() && d.getDate() < b.getDate())) age -= 1;
    return age;
  }

  // Rendering --------------------------------------------------------------------------------
  function render() {
    var net = $("desk-network");
    net.textContent = online() ? T.online : T.offline;
    net.className = "badge" + (online() ? "" : " offline");
    var waiting = queue.filter(function (i) { return i.state === "waiting"; }).length;
    var refused = queue.filter(function (i) { return i.state === "refused"; });
    $("desk-queue").textContent = waiting ? fmt(T.waiting, { n: waiting }) : T.all_synced;
    $("desk-queue").dataset.waiting = String(waiting);
    var box = $("desk-refused");
    box.hidden = !refused.length;
    var list = $("desk-refused-list");
    list.textContent = "";
    refused.forEach(function (item) {
      var li = document.createElement("li");
      var who = person(item.body.resident) || (item.op === "resident" ? { name: item.body.name } : null);
      li.textContent = (who ? who.name + " · " : "") + T.ops[item.op] + ": " + item.reason + " ";
      var del = document.createElement("button");
      del.type = "button";
      del.textContent = T.delete;
      del.addEventListener("click", function () {
        if (window.confirm(T.confirm_delete)) dropItem(item.id).then(render);
      });
      li.appendChild(del);
      list.appendChild(li);
    });
    renderPerson();
  }

  function renderMatches(found) {
    var list = $("desk-matches");
    list.textContent = "";
    found.slice(0, 8).forEach(function (p) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = p.name + " · " + (p.phone || "—") + " · " + p.born + (p.checked_in ? " · " + T.checked_in : "");
      button.addEventListener("click", function () { select(p.key); });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function renderPerson() {
    var card = $("desk-person");
    var p = current === null ? null : person(current);
    card.hidden = !p;
    if (!p) return;
    $("desk-person-name").textContent = p.name;
    $("desk-person-facts").textContent = [p.phone || "—", p.born, p.checked_in ? T.checked_in : T.not_checked_in].join(" · ");
    $("desk-check-in").hidden = p.checked_in;
    var list = $("desk-readings");
    list.textContent = "";
    p.readings.forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = r.systolic + "/" + r.diastolic + (r.pulse ? " · " + r.pulse : "") +
        (r.queued ? " · " + (r.state === "refused" ? T.refused : T.queued) : "") + " ";
      [["correct", T.correct], ["remove", T.delete]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.textContent = pair[1];
        button.dataset.action = pair[0];
        button.addEventListener("click", function () { pair[0] === "correct" ? startCorrect(r) : removeReading(r); });
        li.appendChild(button);
      });
      list.appendChild(li);
    });
    preview();
  }

  function select(key) {
    current = key;
    editing = null;
    $("desk-walkup").hidden = true;
    $("desk-matches").textContent = "";
    renderPerson();
    var form = $("desk-reading");
    form.reset();
    form.elements.systolic.focus();
  }

  // Finding ----------------------------------------------------------------------------------
  function find(query) {
    query = query.trim();
    if (!query) return Promise.resolve([]);
    if (/^\d{17}[\dXx]$/.test(query)) {
      if (!online()) { say(T.id_needs_signal, true); return Promise.resolve([]); }
      return fetch(cfg.urls.find_id, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
        body: JSON.stringify({ id_number: query }),
      }).then(function (r) { return r.json(); }).then(function (body) {
        var p = body.resident ? person(body.resident) : null;
        if (!p) say(body.detail || T.no_match, true);
        return p ? [p] : [];
      }).catch(function () { say(T.id_needs_signal, true); return []; });
    }
    var found;
    if (/^\d{3,4}$/.test(query)) {
      found = people().filter(function (p) { return (p.phone || "").slice(-query.length) === query; });
    } else if (/^\d+$/.test(query)) {
      say(T.digits_help, true);
      return Promise.resolve([]);
    } else {
      found = people().filter(function (p) { return p.name.indexOf(query) >= 0; });
    }
    if (!found.length) say(T.no_match, true);
    return Promise.resolve(found);
  }

  // The visit as it stands, and with the values typed ----------------------------------------
  function typed() {
    var f = $("desk-reading").elements;
    var s = f.systolic.value.trim(), d = f.diastolic.value.trim(), pl = f.pulse.value.trim();
    if (!/^\d{2,3}$/.test(s) || !/^\d{2,3}$/.test(d)) return null;
    return { systolic: parseInt(s, 10), diastolic: parseInt(d, 10), pulse: /^\d{2,3}$/.test(pl) ? parseInt(pl, 10) : null };
  }
  function visitWith(p, values) {
    var pairs = p.readings.filter(function (r) {
      return !editing || (editing.source === "queue" ? r.queued !== editing.id : r.id !== editing.id);
    }).map(function (r) { return [r.systolic, r.diastolic]; });
    if (values) pairs.push([values.systolic, values.diastolic]);
    if (!pairs.length) return null;
    if (pairs.length > rule.max_readings) return { full: true };
    var value = deskRule.visitValue(rule, pairs);
    var grade = deskRule.classify(rule, value.systolic, value.diastolic, null, p.adult);
    return { count: pairs.length, value: value, grade: grade };
  }
  function preview() {
    var out = $("desk-preview"), promptNode = $("desk-prompt");
    var p = current === null ? null : person(current);
    var values = typed();
    out.textContent = ""; out.className = "category"; promptNode.textContent = "";
    if (!p) return;
    if (values && !deskRule.plausible(rule, values.systolic, values.diastolic)) {
      out.textContent = T.implausible; out.className = "category error"; return;
    }
    var visit = visitWith(p, values);
    if (!visit) return;
    if (visit.full) { out.textContent = T.visit_full; out.className = "category error"; return; }
    var text = visit.value.systolic + "/" + visit.value.diastolic + " " + rule.labels[visit.grade.category];
    if (visit.grade.isolated_systolic) text += " · " + rule.isolated_label;
    if (visit.grade.referral === "urgent") text += " · " + rule.referral_labels.urgent;
    out.textContent = text;
    out.className = "category cat cat-" + visit.grade.category;
    promptNode.textContent = deskRule.prompt(rule, visit.count, visit.value.needs_another);
  }

  // Writing: every change is a queue item ----------------------------------------------------
  var seq = Date.now();
  function enqueue(op, body) {
    var item = { id: uuid(), op: op, seq: seq++, state: "waiting", reason: "", user: cfg.user, body: body };
    queue.push(item);
    return putItem(item).then(function () { render(); sync(false); return item; });
  }

  function checkIn() {
    var p = person(current);
    if (!p || p.checked_in) return Promise.resolve();
    return enqueue("check_in", { event: cfg.event.id, resident: p.key }).then(function () {
      say(fmt(T.checked_in_now, { name: p.name }));
    });
  }

  function urgentNotice(name, value) {
    return new Promise(function (resolve) {
      var dialog = $("desk-urgent");
      $("desk-urgent-text").textContent = fmt(T.urgent, { name: name, bp: value.systolic + "/" + value.diastolic });
      var button = $("desk-urgent-ack");
      function done() {
        button.removeEventListener("click", done);
        dialog.close();
        resolve(new Date().toISOString());
      }
      button.addEventListener("click", done);
      dialog.showModal();
      button.focus();
    });
  }

  function saveReading() {
    var p = person(current);
    var values = typed();
    if (!p) return;
    if (!values || !deskRule.plausible(rule, values.systolic, values.diastolic)) {
      say(T.implausible, true); $("desk-reading").elements.systolic.focus(); return;
    }
    var visit = visitWith(p, values);
    if (visit.full) { say(T.visit_full, true); return; }
    var urgent = visit.grade.referral === "urgent" && !acknowledged[p.key];
    var ack = urgent ? urgentNotice(p.name, visit.value) : Promise.resolve(null);
    ack.then(function (at) {
      if (at) acknowledged[p.key] = true;
      if (editing) return finishCorrect(values, at);
      var body = { event: cfg.event.id, resident: p.key, systolic: values.systolic, diastolic: values.diastolic,
        pulse: values.pulse, measured_at: new Date().toISOString() };
      if (at) body.urgent_acknowledged_at = at;
      return enqueue("reading", body);
    }).then(function () {
      var form = $("desk-reading");
      form.reset();
      editing = null;
      renderPerson();
      say(fmt(T.saved, { name: p.name }));
      var now = visitWith(person(p.key), null);
      if (now && !now.full && now.value.needs_another) form.elements.systolic.focus();
      else $("desk-next").focus();
    });
  }

  function startCorrect(r) {
    editing = r.queued ? { source: "queue", id: r.queued } : { source: "server", id: r.id };
    var f = $("desk-reading").elements;
    f.systolic.value = r.systolic; f.diastolic.value = r.diastolic; f.pulse.value = r.pulse || "";
    f.systolic.focus();
    say(T.correcting);
    preview();
  }

  function finishCorrect(values, at) {
    if (editing.source === "queue") {
      var item = queue.filter(function (i) { return i.id === editing.id; })[0];
      if (!item) return Promise.resolve();
      item.body.systolic = values.systolic; item.body.diastolic = values.diastolic; item.body.pulse = values.pulse;
      if (at) item.body.urgent_acknowledged_at = at;
      item.state = "waiting"; item.reason = "";
      return putItem(item).then(function () { sync(false); });
    }
    if (!online()) { say(T.correct_needs_signal, true); return Promise.resolve(); }
    return api("PATCH", editing.id, { systolic: values.systolic, diastolic: values.diastolic, pulse: values.pulse });
  }

  function removeReading(r) {
    if (!window.confirm(T.confirm_delete)) return;
    if (r.queued) { dropItem(r.queued).then(render); return; }
    if (!online()) { say(T.correct_needs_signal, true); return; }
    api("DELETE", r.id).then(render);
  }

  function api(method, id, body) {
    return fetch(cfg.urls.readings + id + "/", {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      if (r.ok) return refresh();
      return r.json().then(function (errors) {
        var messages = [];
        Object.keys(errors).forEach(function (k) { messages = messages.concat(errors[k]); });
        say(messages.join(" "), true);
      });
    });
  }

  function refresh() {
    return fetch(cfg.urls.data, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { data.key = rosterKey; roster = data; } return saveRoster(); })
      .then(render);
  }

  // Sync -------------------------------------------------------------------------------------
  function sync(manual) {
    if (syncing || !online()) return Promise.resolve();
    var items = queue.filter(function (i) { return manual || i.state === "waiting"; }).slice(0, 500);
    if (!items.length) { if (manual) say(T.all_synced); return Promise.resolve(); }
    syncing = true;
    var batch = items.map(function (i) { return Object.assign({ id: i.id, op: i.op }, i.body); });
    return fetch(cfg.urls.sync, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
      body: JSON.stringify({ items: batch }),
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (body) {
      return body.results.reduce(function (chain, result) {
        return chain.then(function () { return settle(result); });
      }, Promise.resolve());
    }).then(function () {
      return saveRoster();
    }).then(function () {
      var refused = queue.filter(function (i) { return i.state === "refused"; }).length;
      say(refused ? fmt(T.some_refused, { n: refused }) : "", refused > 0);
    }).catch(function () {
      say(T.sync_failed, true);
    }).then(function () {
      syncing = false;
      render();
      if (queue.some(function (i) { return i.state === "waiting"; }) && online()) window.setTimeout(function () { sync(false); }, 2000);
    });
  }

  function settle(result) {
    var item = queue.filter(function (i) { return i.id === result.id; })[0];
    if (!item) return Promise.resolve();
    if (result.status === "refused") {
      item.state = "refused";
      item.reason = result.reason;
      return putItem(item);
    }
    var obj = result.object || {};
    var b = item.body;
    if (item.op === "resident") {
      roster.residents.push({ id: obj.id, name: obj.name, sex: b.sex, born: b.birth_date.slice(0, 7), phone: obj.phone,
        adult: ageOn(b.birth_date, cfg.event.starts_at) >= 18, checked_in: false, readings: [] });
      // What was queued for the walk-up now names them by the server's id.
      queue.forEach(function (other) {
        if (other.body.resident === item.id) { other.body.resident = obj.id; putItem(other); }
      });
      if (current === item.id) current = obj.id;
      if (acknowledged[item.id]) acknowledged[obj.id] = true;
    }
    var resident = roster.residents.filter(function (p) { return p.id === (obj.resident || b.resident); })[0];
    if (item.op === "check_in" && resident) resident.checked_in = true;
    if (item.op === "reading" && resident) {
      resident.checked_in = true;
      if (!resident.readings.some(function (r) { return r.id === obj.id; })) {
        resident.readings.push({ id: obj.id, systolic: obj.systolic, diastolic: obj.diastolic, pulse: b.pulse, measured_at: obj.measured_at });
      }
      if (obj.urgent && !obj.acknowledged && !b.urgent_acknowledged_at) {
        // The server found the visit urgent where the desk had not (another desk's reading):
        // the notice now, its acknowledgement queued like any item.
        return dropItem(item.id).then(function () {
          return urgentNotice(resident.name, obj.visit);
        }).then(function (at) {
          acknowledged[resident.id] = true;
          return enqueue("urgent_ack", { reading: obj.id, acknowledged_at: at });
        });
      }
    }
    return dropItem(item.id);
  }

  // Wiring -----------------------------------------------------------------------------------
  var search = $("desk-search");
  search.addEventListener("input", function () {
    say("");
    if (/^\d+$/.test(search.value.trim()) && search.value.trim().length > 4) return;
    find(search.value).then(renderMatches);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    find(search.value).then(function (found) {
      renderMatches(found);
      if (found.length === 1) select(found[0].key);
    });
  });
  $("desk-walkup-open").addEventListener("click", function () {
    var form = $("desk-walkup");
    form.hidden = false;
    current = null;
    renderPerson();
    if (!/^\d+$/.test(search.value.trim())) form.elements.name.value = search.value.trim();
    form.elements.name.focus();
  });
  $("desk-walkup-cancel").addEventListener("click", function () { $("desk-walkup").hidden = true; search.focus(); });
  $("desk-walkup").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = event.target.elements;
    var body = { name: f.name.value.trim(), sex: f.sex.value, birth_date: f.birth_date.value, community: cfg.event.community,
      phone: f.phone.value.trim(), id_number: f.id_number.value.trim(), address: f.address.value.trim() };
    if (!body.name || !body.sex || !body.birth_date) { say(T.walkup_fields, true); return; }
    enqueue("resident", body).then(function (item) {
      return enqueue("check_in", { event: cfg.event.id, resident: item.id }).then(function () {
        event.target.reset();
        event.target.hidden = true;
        search.value = "";
        select(item.id);
      });
    });
  });
  $("desk-check-in").addEventListener("click", function () { checkIn().then(function () { $("desk-reading").elements.systolic.focus(); }); });
  var form = $("desk-reading");
  form.addEventListener("input", preview);
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
    event.preventDefault();
    var order = ["systolic", "diastolic", "pulse"];
    var at = order.indexOf(event.target.name);
    if (at >= 0 && at < 2 && (at === 0 || event.target.value.trim())) form.elements[order[at + 1]].focus();
    else saveReading();
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); saveReading(); });
  $("desk-next").addEventListener("click", function () {
    current = null; editing = null; form.reset(); search.value = ""; $("desk-matches").textContent = "";
    renderPerson(); say(""); search.focus();
  });
  $("desk-sync").addEventListener("click", function () { sync(true); });
  $("desk-urgent").addEventListener("cancel", function (event) { event.preventDefault(); });
  window.addEventListener("online", function () { render(); sync(false); });
  window.addEventListener("offline", render);
  window.setInterval(function () { sync(false); }, 30000);
  // Signing out clears this device's storage (Clear-Site-Data): not while work is unsent.
  var logout = document.querySelector("form.logout");
  if (logout) logout.addEventListener("submit", function (event) {
    if (queue.length && !window.confirm(fmt(T.logout_unsent, { n: queue.length }))) event.preventDefault();
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.urls.worker, { scope: cfg.urls.scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      // This page was fetched before the worker was there: keep it for opening offline.
      if (online() && window.caches) return caches.open("healthedu-desk-pages").then(function (c) { return c.add(location.pathname); });
    }).catch(function () { /* the desk works without it while the signal lasts */ });
  }
  load();
  search.focus();
  window.deskState = { queue: function () { return queue; }, sync: sync };
})();
