// Polls a background job's status; when it ends, reloads the page to show the outcome. The status
// word, the bar and the percentage are set together from one answer, so that they never disagree
// (a bar at 40 % beside "Waiting to start"): views/jobs.py shown_progress is the same rule.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var statusText = document.getElementById("job-status");
  var labelsNode = document.getElementById("job-status-labels");
  var labels = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  function shown(status, progress) {
    if (status === "done") return 100;
    if (status === "pending") return 0;
    return Math.max(0, Math.min(100, parseInt(progress, 10) || 0));
  }
  // The bar's width is set here, not in a style= attribute, which the CSP (style-src 'self')
  // would refuse; the text beside it says the same without script.
  function show(status, progress) {
    var value = shown(status, progress);
    var label = labels[status] || status;
    bar.setAttribute("aria-valuenow", value);
    bar.setAttribute("aria-valuetext", label + " · " + value + "%");
    bar.firstElementChild.style.width = value + "%";
    bar.firstElementChild.classList.toggle("bad", status === "failed");
    percent.textContent = label + " · " + value + "%";
    if (statusText) {
      statusText.textContent = label;
      statusText.classList.toggle("ok", status === "done");
      statusText.classList.toggle("bad", status === "failed");
    }
  }
  var status = box.dataset.status;
  show(status, bar.getAttribute("aria-valuenow"));
  if (status === "done" || status === "failed") return;
  var delay = 500;
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        show(job.status, job.progress);
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.5, 3000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 300);
})();
