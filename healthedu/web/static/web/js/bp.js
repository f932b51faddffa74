// Live blood-pressure category on the entry sheet: asks the screening app's classify endpoint
// (the one rule), so the page never holds its own thresholds; for a visit in progress it shows
// the mean the visit would record and whether a further reading is needed. Enter anywhere saves
// the sheet.
(function () {
  "use strict";
  var sheet = document.getElementById("bp-sheet");
  if (!sheet) return;
  var url = sheet.dataset.classifyUrl;
  var timers = {};
  function classify(row) {
    var id = row.dataset.resident;
    var sys = row.querySelector('input[name$="-systolic"]').value.trim();
    var dia = row.querySelector('input[name$="-diastolic"]').value.trim();
    var out = row.querySelector("output.category");
    if (!/^\d{2,3}$/.test(sys) || !/^\d{2,3}$/.test(dia)) { out.textContent = ""; out.className = "category"; return; }
    var query = "?systolic=" + sys + "&diastolic=" + dia + "&resident=" + id;
    // A visit in progress: the endpoint also says what the visit would record (its mean).
    if (row.dataset.visit) query += "&visit=" + row.dataset.visit;
    fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) {
          var messages = [];
          Object.keys(res.body).forEach(function (k) { messages = messages.concat(res.body[k]); });
          out.textContent = messages.join(" ");
          out.className = "category error";
          return;
        }
        var text = res.body.label;
        if (res.body.isolated_systolic_label) text += " · " + res.body.isolated_systolic_label;
        if (res.body.referral !== "none") text += " · " + res.body.referral_label;
        var category = res.body.category;
        var visit = res.body.visit;
        if (visit) {
          text = visit.systolic + "/" + visit.diastolic + " " + visit.category_label;
          if (visit.prompt) text += " · " + visit.prompt;
          category = visit.category;
        }
        out.textContent = text;
        out.className = "category cat cat-" + category;
      })
      .catch(function () { out.textContent = ""; });
  }
  sheet.addEventListener("input", function (event) {
    var row = event.target.closest("tr[data-resident]");
    if (!row) return;
    var id = row.dataset.resident;
    window.clearTimeout(timers[id]);
    timers[id] = window.setTimeout(function () { classify(row); }, 250);
  });
  Array.prototype.forEach.call(sheet.querySelectorAll("tr[data-resident]"), classify);
  var first = sheet.querySelector("input.bp");
  if (first) first.focus();
})();
