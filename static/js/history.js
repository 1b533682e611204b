// History: draw the scores in the attempts table as a line, each point in its band's colour,
// and let a tap anywhere on an attempt's row open it (the scenario's title stays the real link).
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
  const styles = getComputedStyle(document.documentElement);
  const colour = (band) =>
    styles.getPropertyValue(`--band-${band.replace("_", "-")}`).trim() || "#595f66";
  const colours = rows.map((row) => colour(row.dataset.band));
  const labels = rows.map((row) => row.querySelector(".band-pill").textContent);
  // "14 Nov" is enough within one year; across a new year the dates need theirs.
  const manyYears = new Set(rows.map((row) => row.dataset.year)).size > 1;

  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: rows.map((row) => (manyYears ? `${row.dataset.date} ${row.dataset.year}` : row.dataset.date)),
      datasets: [{
        label: "Score",
        data: rows.map((row) => Number(row.dataset.score)),
        borderColor: "#495057",
        borderWidth: 2,
        pointBackgroundColor: colours,
        pointBorderColor: colours,
        pointRadius: 5,
        pointHoverRadius: 7,
        tension: 0.2,
      }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        y: { min: 0, max: 100, title: { display: true, text: "Score" } },
        x: { title: { display: true, text: "Attempt date" } },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: { label: (item) => `Score ${item.parsed.y} – ${labels[item.dataIndex]}` },
        },
      },
    },
  });
})();
