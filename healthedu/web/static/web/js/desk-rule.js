// The blood-pressure rule of healthedu/screening/bp.py, applied to the table the server sends
// (bp.rule_table()), so that the desk grades readings without a signal. No threshold is written
// here; tests/web/browser/test_desk.py checks that this and the Python rule agree on a grid.
(function () {
  "use strict";
  function rank(value, bounds) {
    var found = 0;
    bounds.forEach(function (low, i) { if (value >= low) found = i; });
    return found;
  }
  function plausible(t, s, d) {
    return s >= t.systolic_range[0] && s <= t.systolic_range[1] &&
      d >= t.diastolic_range[0] && d <= t.diastolic_range[1] && s > d;
  }
  // known: true / false, or null when the desk does not know (then grades 1–2 give no referral
  // word here; the server's answer says it). adult: false under 18 (not graded).
  function classify(t, s, d, known, adult) {
    if (!plausible(t, s, d)) return null;
    if (adult === false) return { category: "not_graded", isolated_systolic: false, referral: "none" };
    var category = t.order[Math.max(rank(s, t.systolic_from), rank(d, t.diastolic_from))];
    var isolated = s >= t.isolated.systolic_from && d < t.isolated.diastolic_below;
    var referral = "none";
    if (t.urgent.indexOf(category) >= 0) referral = "urgent";
    else if (t.hypertensive.indexOf(category) >= 0) referral = known === null ? null : (known ? "none" : "referral");
    return { category: category, isolated_systolic: isolated, referral: referral };
  }
  function meanHalfUp(values) {
    var sum = values.reduce(function (a, b) { return a + b; }, 0);
    return Math.floor((2 * sum + values.length) / (2 * values.length));
  }
  function disagree(t, a, b) {
    return Math.abs(a[0] - b[0]) > t.agreement_mmhg || Math.abs(a[1] - b[1]) > t.agreement_mmhg;
  }
  // readings: [[systolic, diastolic], ...] in the order measured (1 to max_readings).
  function visitValue(t, readings) {
    var s = meanHalfUp(readings.map(function (r) { return r[0]; }));
    var d = meanHalfUp(readings.map(function (r) { return r[1]; }));
    var needs = readings.length === 1 ? true : readings.length === 2 ? disagree(t, readings[0], readings[1]) : false;
    return { systolic: s, diastolic: d, needs_another: needs };
  }
  function prompt(t, count, needs) {
    if (!needs) return "";
    return count === 1 ? t.prompts.one : t.prompts.disagree;
  }
  window.deskRule = { classify: classify, visitValue: visitValue, plausible: plausible, prompt: prompt };
})();
