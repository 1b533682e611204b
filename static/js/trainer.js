// Trainer pages: the cohort charts, a trainee's scores per category, and clickable table rows.
"use strict";

(() => {
  const dataNode = document.getElementById("chart-data");
  const data = dataNode ? JSON.parse(dataNode.textContent) : {};
  const styles = getComputedStyle(document.documentElement);
  const bandColour = (band) =>
    styles.getPropertyValue(`--band-${band.replace("_", "-")}`).trim() || "#595f66";
  // Ten categories, ten colours that keep AA contrast on white as lines and points.
  const PALETTE = ["#0a58ca", "#b3261e", "#17683a", "#5b3ea6", "#8a4b00",
                   "#00687a", "#a0146e", "#4d5b00", "#6b4a2b", "#3d4a5c"];
  const POINTS = ["circle", "rect", "triangle", "rectRot", "crossRot", "star", "rectRounded",
                  "cross", "line", "dash"];
  const common = { animation: false, maintainAspectRatio: false };
  const day = (iso) => new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short" });

  function chart(id, config) {
    const canvas = document.getElementById(id);
    if (canvas && window.Chart) {
      new window.Chart(canvas, config);
    }
  }

  function cohortCharts(charts) {
    const bins = charts.distribution;
    chart("chart-distribution", {
      type: "bar",
      data: {
        labels: bins.map((b) => `${b.from}–${b.to}`),
        datasets: [{ label: "Attempts", data: bins.map((b) => b.count),
                     backgroundColor: bins.map((b) => bandColour(b.band)) }],
      },
      options: { ...common, plugins: { legend: { display: false }, tooltip: { callbacks: {
        label: (item) => `${item.parsed.y} attempts – ${data.bands[bins[item.dataIndex].band]}`,
      } } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    chart("chart-over-time", {
      type: "line",
      data: {
        labels: charts.over_time.map((w) => `w/c ${day(w.week)}`),
        datasets: [{ label: "Average score", data: charts.over_time.map((w) => w.average),
                     borderColor: "#0a58ca", backgroundColor: "#0a58ca", tension: 0.2 }],
      },
      options: { ...common, plugins: { legend: { display: false } },
                 scales: { y: { min: 0, max: 100 } } },
    });
    chart("chart-by-category", {
      type: "bar",
      data: {
        labels: charts.by_category.map((c) => c.label),
        datasets: [{ label: "Average score", data: charts.by_category.map((c) => c.average),
                     backgroundColor: "#495057" }],
      },
      options: { ...common, indexAxis: "y", plugins: { legend: { display: false } },
                 scales: { x: { min: 0, max: 100 } } },
    });
  }

  function seriesChart(series, labels) {
    const datasets = Object.entries(series).map(([category, points], index) => ({
      label: labels[category] || category,
      data: points.map((p) => ({ x: Date.parse(p.at), y: p.score, scenario: p.scenario })),
      borderColor: PALETTE[index % PALETTE.length],
      backgroundColor: PALETTE[index % PALETTE.length],
      pointStyle: POINTS[index % POINTS.length],
      pointRadius: 5,
      showLine: true,
      tension: 0.2,
    }));
    chart("chart-series", {
      type: "scatter",
      data: { datasets },
      options: { ...common, scales: {
        y: { min: 0, max: 100, title: { display: true, text: "Score" } },
        x: { ticks: { callback: (value) => day(value) } },
      }, plugins: { tooltip: { callbacks: {
        label: (item) => `${item.dataset.label}: ${item.parsed.y} (${item.raw.scenario}, ${day(item.parsed.x)})`,
      } } } },
    });
  }

  if (data.charts) {
    cohortCharts(data.charts);
  }
  if (data.series) {
    seriesChart(data.series, data.labels || {});
  }

  // A click anywhere on a trainee's row opens their page (the name stays a real link).
  document.querySelectorAll("#cohort-table tbody tr[data-href]").forEach((row) => {
    row.classList.add("clickable-row");
    row.addEventListener("click", (event) => {
      if (!event.target.closest("a, button")) {
        window.location.assign(row.dataset.href);
      }
    });
  });
})();
