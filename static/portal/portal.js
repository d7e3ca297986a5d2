// Small behaviours shared by every page; no inline scripts (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", function () {
  // "Select all" checkboxes for bulk actions: <input type="checkbox" data-select-all="name">
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var name = box.getAttribute("data-select-all");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) {
        b.checked = box.checked;
      });
    });
  });
  // Confirmation for forms marked data-confirm="Question?"
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});

// A select whose options arrive after the page (portal.widgets.LazyOptionsSelect) is sent the
// value it had when it asked: a choice made meanwhile is kept in the list that replaces it.
document.addEventListener("htmx:beforeSwap", function (event) {
  var select = event.detail.elt;
  if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-lazy-options")) { return; }
  var fresh = new DOMParser().parseFromString(event.detail.serverResponse, "text/html").querySelector("select");
  if (!fresh) { return; }
  var kept = Array.prototype.find.call(fresh.options, function (option) { return option.value === select.value; });
  if (!kept) { return; }
  Array.prototype.forEach.call(fresh.options, function (option) { option.removeAttribute("selected"); });
  kept.setAttribute("selected", "");
  event.detail.serverResponse = fresh.outerHTML;
});
