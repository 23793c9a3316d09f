/* The stock document editor and the count screen (loaded by their pages only).
   - Enter in a line input ([data-grid-input]) never submits: it moves to the next line input,
     and from the last one back to the scan box (#scan). Leaving a count input sends it (htmx
     "change").
   - The editor's totals and line values follow what is typed (the server recomputes them on
     every scan, pick or removal anyway). Priced lines (purchasing: [data-line-net]) show net
     and VAT (rounded per line, as the server does) and the totals net, VAT and total wherever
     they are shown ([data-total], also outside the grid).
   - After htmx replaces the line grid, the cursor goes back to the scan box if it was lost. */
(function () {
  "use strict";

  function number(text) {
    if (text === undefined || text === null) return null;
    var clean = String(text).replace(/,/g, "").trim();
    if (clean === "" || isNaN(Number(clean))) return null;
    return Number(clean);
  }

  function formatMoney(value) {
    var symbol = document.documentElement.getAttribute("data-currency") || "¥";
    var sign = value < 0 ? "-" : "";
    return sign + symbol + Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function formatQty(value) {
    return value.toLocaleString("en-US", { maximumFractionDigits: 4 });
  }

  function focusScan() {
    var scan = document.getElementById("scan");
    if (scan) { scan.focus(); scan.select(); }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !target.matches || !target.matches("[data-grid-input]")) return;
    event.preventDefault();
    var inputs = Array.prototype.slice.call(document.querySelectorAll("[data-grid-input]"));
    var next = inputs[inputs.indexOf(target) + 1];
    if (next) { next.focus(); next.select(); } else { focusScan(); }
  });

  function cents(value) {
    return Math.round((Math.abs(value) + Number.EPSILON) * 100) / 100 * (value < 0 ? -1 : 1);
  }

  // The cell's typed value, else its default (data-price / data-rate: the placeholder shown).
  function typedOrDefault(cell, name) {
    if (!cell) return null;
    var input = cell.querySelector("input:not([type=hidden])");
    var typed = number(input && input.value);
    return typed !== null ? typed : number(cell.getAttribute(name));
  }

  function pricedRow(row, sums) {
    var qty = number((row.querySelector("input[name='line-qty']") || {}).value);
    var price = typedOrDefault(row.querySelector("[data-price]"), "data-price");
    var rate = typedOrDefault(row.querySelector("[data-rate]"), "data-rate");
    var netCell = row.querySelector("[data-line-net]"), taxCell = row.querySelector("[data-line-tax]");
    if (qty === null || price === null || rate === null) {
      netCell.textContent = ""; taxCell.textContent = "";
      return;
    }
    var net = cents(qty * price), tax = cents(net * rate / 100);
    netCell.textContent = formatMoney(net);
    taxCell.textContent = formatMoney(tax);
    sums.qty += qty; sums.net += net; sums.tax += tax;
  }

  function setTotal(name, text) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-total='" + name + "']"), function (cell) {
      cell.textContent = text;
    });
  }

  function recompute(grid) {
    var rows = grid.querySelectorAll("tbody tr[data-product]");
    if (grid.querySelector("[data-line-net]") || document.querySelector("[data-total='net']")) {
      var sums = { qty: 0, net: 0, tax: 0 };
      Array.prototype.forEach.call(rows, function (row) { pricedRow(row, sums); });
      setTotal("qty", formatQty(sums.qty));
      setTotal("net", formatMoney(sums.net));
      setTotal("tax", formatMoney(sums.tax));
      setTotal("total", formatMoney(cents(sums.net + sums.tax)));
      return;
    }
    var qtyIn = 0, qtyOut = 0, valueIn = 0, valueOut = 0;
    Array.prototype.forEach.call(rows, function (row) {
      var qtyInput = row.querySelector("input[name='line-qty']");
      var costInput = row.querySelector("input[name='line-unit_cost']");
      var valueCell = row.querySelector("[data-line-value]");
      var qty = number(qtyInput && qtyInput.value);
      if (qty === null) { if (valueCell) valueCell.textContent = ""; return; }
      if (qty < 0) qtyOut -= qty; else qtyIn += qty;
      if (!costInput) return;
      // Stock going out leaves at the current cost (the placeholder): an estimate until posted.
      var cost = qty < 0 ? null : number(costInput.value);
      var estimated = cost === null;
      if (estimated) cost = number(costInput.getAttribute("placeholder"));
      if (cost === null) { if (valueCell) valueCell.textContent = ""; return; }
      var value = Math.round(qty * cost * 100) / 100;
      if (value < 0) valueOut -= value; else valueIn += value;
      if (valueCell) {
        valueCell.textContent = (estimated ? "≈ " : "") + formatMoney(value);
        valueCell.classList.toggle("muted", estimated);
      }
    });
    var set = function (name, text) {
      var cell = grid.querySelector("[data-total='" + name + "']");
      if (cell) cell.textContent = text;
    };
    set("qty-in", "+" + formatQty(qtyIn));
    set("qty-out", "-" + formatQty(qtyOut));
    set("qty", formatQty(qtyIn));
    set("value-in", "+" + formatMoney(valueIn));
    set("value-out", "-" + formatMoney(valueOut));
  }

  document.addEventListener("input", function (event) {
    var grid = event.target.closest && event.target.closest("#lines");
    if (grid) recompute(grid);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var grid = document.getElementById("lines");
    if (grid && (event.target === grid || event.target.closest("#lines"))) recompute(grid);
    var active = document.activeElement;
    if (!active || active === document.body) {
      if (event.target.id === "lines" || event.target.closest("#lines")) focusScan();
    }
  });
})();
