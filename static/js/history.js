// History: draw the scores in the attempts table, one line per scenario, and let a tap anywhere
// on an attempt's row open it (the scenario's title stays the real link).
"use strict";

(() => {
  document.querySelectorAll("#attempts-table tbody tr[data-href]").forEach((row) => {
    row.classList.add("clickable-row");
    row.addEventListener("click", (event) => {
      if (!event.target.closest("a, button")) {
        window.location.assign(row.dataset.href);
      }
    });
  });

  const canvas = document.getElementById("score-chart");
  if (!canvas || !window.Chart) {
    return;
  }
  const rows = [...document.querySelectorAll("#attempts-table tbody tr")].reverse();
  // One line per scenario, in colours (and point shapes) that keep AA contrast on white: a
  // line joins tries at the same moment, never different moments.
  const PALETTE = ["#0a58ca", "#b3261e", "#17683a", "#5b3ea6", "#8a4b00",
                   "#00687a", "#a0146e", "#4d5b00", "#6b4a2b", "#3d4a5c"];
  const POINTS = ["circle", "rect", "triangle", "rectRot", "crossRot", "star", "rectRounded",
                  "cross"];
  const bands = rows.map((row) => row.querySelector(".band-pill").textContent);
  // Each attempt is its own place on the axis, labelled with its day and time (and the year
  // when the attempts span more than one), so tries on one day stay apart.
  const manyYears = new Set(rows.map((row) => row.dataset.year)).size > 1;
  const labels = rows.map((row) => [
    manyYears ? `${row.dataset.date} ${row.dataset.year}` : row.dataset.date,
    row.dataset.time,
  ]);
  const scenarios = [...new Set(rows.map((row) => row.dataset.scenario))];
  const datasets = scenarios.map((title, index) => {
    const colour = PALETTE[index % PALETTE.length];
    return {
      label: title,
      data: rows.map((row) => (row.dataset.scenario === title ? Number(row.dataset.score) : null)),
      spanGaps: true,
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: 2,
      pointStyle: POINTS[index % POINTS.length],
      pointRadius: 5,
      pointHoverRadius: 7,
      tension: 0, // straight segments: a curve would pass above and below the real scores
    };
  });

  new window.Chart(canvas, {
    type: "line",
    data: { labels, datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        y: { min: 0, max: 100, title: { display: true, text: "Score" } },
        // Two-line labels kept level (skipped where they would crowd): a phone keeps its height.
        x: { title: { display: true, text: "Attempt (date and time)" },
             ticks: { maxRotation: 0, autoSkipPadding: 8 } },
      },
      plugins: {
        legend: {
          display: scenarios.length > 1,
          position: "bottom",
          labels: { usePointStyle: true, boxHeight: 8 },
        },
        tooltip: {
          filter: (item) => item.raw !== null,
          callbacks: {
            title: (items) => labels[items[0].dataIndex].join(", "),
            label: (item) => `${item.dataset.label}: ${item.parsed.y} – ${bands[item.dataIndex]}`,
          },
        },
      },
    },
  });
})();
