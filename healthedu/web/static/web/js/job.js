// Polls a background job's status; when it ends, reloads the page to show the outcome.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  // The bar's width is set here, not in a style= attribute, which the CSP (style-src 'self')
  // would refuse; the percentage beside it says the same without script.
  function show(progress) {
    bar.setAttribute("aria-valuenow", progress);
    bar.firstElementChild.style.width = progress + "%";
    percent.textContent = progress + "%";
  }
  show(bar.getAttribute("aria-valuenow"));
  var status = box.dataset.status;
  if (status === "done" || status === "failed") return;
  var delay = 500;
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        show(job.progress);
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
