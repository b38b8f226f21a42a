// Draws every report chart on the page with Chart.js. The data (labels, datasets) is decided on the
// server (metacrm/platform/reports/charts.py) and embedded as <script type="application/json">, so this
// file holds no inline script and no report logic: it maps the chart type to Chart.js options.
(function () {
  "use strict";
  var PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#ffc107", "#0dcaf0", "#6c757d",
                 "#198754", "#d63384"];

  function config(data) {
    var type = data.chart, stacked = type === "stacked_bar", funnel = type === "funnel";
    var round = type === "pie" || type === "donut";
    var datasets = data.datasets.map(function (ds, i) {
      var colors = round || funnel ? data.labels.map(function (_, j) { return PALETTE[j % PALETTE.length]; })
                                   : PALETTE[i % PALETTE.length];
      var out = {label: ds.label, data: ds.data, backgroundColor: colors,
                 borderColor: type === "line" ? colors : undefined, tension: 0.2};
      if (ds.axis === "right") { out.yAxisID = "y1"; }
      return out;
    });
    var chartType = round ? (type === "donut" ? "doughnut" : "pie") : (type === "line" ? "line" : "bar");
    var options = {responsive: true, maintainAspectRatio: false, animation: false,
                   plugins: {legend: {display: round || stacked || datasets.length > 1, position: "bottom"}}};
    if (!round) {
      options.scales = {x: {stacked: stacked}, y: {stacked: stacked, beginAtZero: true}};
      if (funnel) { options.indexAxis = "y"; }
      if (data.datasets.some(function (ds) { return ds.axis === "right"; })) {
        options.scales.y1 = {position: "right", beginAtZero: true, grid: {drawOnChartArea: false}};
      }
    }
    return {type: chartType, data: {labels: data.labels, datasets: datasets}, options: options};
  }

  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("canvas.report-chart").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.source);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      if (data.chart === "table" || !data.datasets.length) { canvas.parentElement.hidden = true; return; }
      canvas.chart = new window.Chart(canvas, config(data));
      canvas.dataset.drawn = "true";
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
