// Small behaviours that the pages ask for with data- attributes. The Content-Security-Policy
// runs scripts from our static files only, so no page may carry onsubmit=, onchange= or an
// inline <script>. Listeners sit on the document, so this file may load before the page's body.
//
//   <form data-confirm="Question?">            asks before submitting; Cancel keeps the page
//   <select data-autosubmit>                    submits its form when another option is chosen
//   <button type="button" data-print>           prints the page
//   <input type="hidden" data-copy-from="ID">   takes the value of the field #ID when its form
//                                               is submitted (a search that keeps the choices
//                                               already made in another form of the page)
//
// A form sent back with errors: the first field in error gets the focus and is scrolled to the
// middle of the screen, its message beside it; the summary's links (data-focus-field) do the
// same. Otherwise a page that carries a message (saved, refused) keeps it in view.
(function () {
  "use strict";

  function focusField(box) {
    var input = box.querySelector(
      "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])"
    );
    box.scrollIntoView({ block: "center" });
    if (input) input.focus({ preventScroll: true });
  }

  function showWhatWasSaid() {
    var field = document.querySelector(".field.has-error");
    if (field) {
      focusField(field);
      return;
    }
    var summary = document.querySelector(".form-errors, [role=alert]");
    var message = document.querySelector(".messages");
    var said = summary || message;
    if (!said) return;
    var box = said.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) said.scrollIntoView({ block: "nearest" });
    if (summary && summary.hasAttribute("tabindex")) summary.focus({ preventScroll: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showWhatWasSaid);
  else showWhatWasSaid();

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[data-copy-from]"), function (input) {
      var source = document.getElementById(input.dataset.copyFrom);
      if (source) input.value = source.value;
    });
  });

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.matches("select[data-autosubmit]") || !field.form) return;
    // requestSubmit, unlike submit(), fires the submit event, so the listener above still runs.
    if (field.form.requestSubmit) field.form.requestSubmit();
    else field.form.submit();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
    var link = event.target.closest("a[data-focus-field]");
    var box = link && document.getElementById(link.dataset.focusField);
    if (box) {
      event.preventDefault();
      focusField(box);
    }
  });
})();
