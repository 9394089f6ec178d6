(function () {
  "use strict";
  var input = document.getElementById("filter");
  var count = document.getElementById("filter-count");
  if (!input) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("#cluster-list tbody tr"));
  function apply() {
    var q = input.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = !q || row.getAttribute("data-search").indexOf(q) !== -1;
      row.hidden = !ok;
      var section = document.getElementById(row.getAttribute("data-anchor"));
      if (section) { section.hidden = !ok; }
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " clusters";
  }
  input.addEventListener("input", apply);
  apply();
}());
