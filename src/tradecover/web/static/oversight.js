// Oversight tables: click a column header to sort (again to reverse), type in a table's filter box to keep
// the rows whose filterable columns contain the text. Cells carry their exact value in data-sort.
(function () {
  "use strict";

  var NUMERIC = { money: true, count: true, percent: true, days: true };

  function compare(kind, a, b) {
    if (a === "" || b === "") {
      return a === b ? 0 : a === "" ? 1 : -1; // empty cells last
    }
    if (NUMERIC[kind]) {
      return parseFloat(a) - parseFloat(b);
    }
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function sortBy(table, header, index) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var kind = header.getAttribute("data-kind");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (x, y) {
      var order = compare(
        kind,
        x.cells[index].getAttribute("data-sort"),
        y.cells[index].getAttribute("data-sort")
      );
      return ascending ? order : -order;
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.setAttribute("aria-sort", "none");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function filter(table, text) {
    var wanted = text.trim().toLowerCase();
    var columns = [];
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, index) {
      if (cell.hasAttribute("data-filter")) {
        columns.push(index);
      }
    });
    var shown = 0;
    var rows = table.tBodies[0].rows;
    Array.prototype.forEach.call(rows, function (row) {
      var match = !wanted || columns.some(function (index) {
        return row.cells[index].textContent.toLowerCase().indexOf(wanted) !== -1;
      });
      row.hidden = !match;
      shown += match ? 1 : 0;
    });
    var count = document.querySelector('[data-count-for="' + table.id + '"]');
    if (count) {
      count.textContent = wanted
        ? shown + " of " + rows.length + " rows"
        : rows.length + (rows.length === 1 ? " row" : " rows");
    }
  }

  document.querySelectorAll("table.ov-sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      var button = header.querySelector("button");
      if (button) {
        button.addEventListener("click", function () {
          sortBy(table, header, index);
        });
      }
    });
  });

  document.querySelectorAll("input.ov-filter").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    if (table) {
      input.addEventListener("input", function () {
        filter(table, input.value);
      });
    }
  });
})();
