// History dashboard charts (Chart.js 4). Data comes from the page's <script id="chart-data">
// (json_script), never from inline code; charts are redrawn after htmx swaps the body.
(function () {
  "use strict";
  var charts = [];
  var ACCENT = "#0b62d6";
  var SECOND = "#137333";

  // Canvases are found by data-chart, not id: htmx "settles" elements whose ids match across
  // a swap by copying their style attribute, which the Content-Security-Policy forbids.
  function bar(name, labels, values, options) {
    var canvas = document.querySelector('#dashboard-body canvas[data-chart="' + name + '"]');
    if (!canvas) { return; }
    options = options || {};
    charts.push(new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [{ label: options.label || "", data: values, backgroundColor: options.color || ACCENT }]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: options.horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    }));
  }

  function draw() {
    var source = document.getElementById("chart-data");
    var body = document.getElementById("dashboard-body");
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    if (!source || !body || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    bar("period", data.period.labels, data.period.values, { label: data.period.label });
    bar("distribution", data.distribution.labels, data.distribution.values, { label: "Meetings" });
    bar("top-meetings", data.top_meetings.labels, data.top_meetings.values,
        { label: "Meetings", horizontal: true });
    bar("top-minutes", data.top_minutes.labels, data.top_minutes.values,
        { label: "Attendee-minutes", horizontal: true, color: SECOND });
    // What was drawn, for people using the page with tools (and for the browser tests).
    var total = data.period.values.reduce(function (a, b) { return a + b; }, 0);
    body.setAttribute("data-charts-drawn", String(charts.length));
    body.setAttribute("data-charted-meetings", String(total));
    body.setAttribute("data-chart-draws", String(Number(body.getAttribute("data-chart-draws") || "0") + 1));
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", function (event) {
    // Only a new body brings new figures: the organizer filter's list arrives by a swap too.
    var target = event.detail && event.detail.target;
    if (!target || target.id === "dashboard-body") { draw(); }
  });
})();
