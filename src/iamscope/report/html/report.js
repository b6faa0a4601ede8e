// Sorting and filtering of the findings table. Reads only data-* attributes and text; writes only
// the "hidden" property and textContent, so nothing in the report is ever parsed as HTML.
(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var controls = {
    severity: document.getElementById("filter-severity"),
    check: document.getElementById("filter-check"),
    account: document.getElementById("filter-account"),
    resource: document.getElementById("filter-resource")
  };
  var shown = document.getElementById("shown-count");

  function apply() {
    var severity = controls.severity.value;
    var check = controls.check.value;
    var account = controls.account.value;
    var resource = controls.resource.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var ok = (!severity || row.getAttribute("data-severity") === severity) &&
        (!check || row.getAttribute("data-check") === check) &&
        (!account || row.getAttribute("data-account") === account) &&
        (!resource || row.getAttribute("data-resource").toLowerCase().indexOf(resource) !== -1);
      row.hidden = !ok;
      if (ok) { count += 1; }
    });
    shown.textContent = String(count);
  }

  Object.keys(controls).forEach(function (name) {
    controls[name].addEventListener("input", apply);
    controls[name].addEventListener("change", apply);
  });

  var direction = {};
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
    if (!header.hasAttribute("data-sort")) { return; }
    header.addEventListener("click", function () {
      var ascending = direction[index] = !direction[index];
      rows.sort(function (a, b) {
        var x = a.cells[index].getAttribute("data-key") || a.cells[index].textContent;
        var y = b.cells[index].getAttribute("data-key") || b.cells[index].textContent;
        var order = x < y ? -1 : (x > y ? 1 : 0);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
}());
