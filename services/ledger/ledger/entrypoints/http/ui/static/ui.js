// Sortable tables: click a heading to sort the body rows by that column (numbers as numbers).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.sortable").forEach((table) => {
    table.querySelectorAll("thead th").forEach((th, index) => {
      if (th.querySelector("a")) return; // the server sorts this table
      th.addEventListener("click", () => {
        const body = table.tBodies[0];
        const down = th.dataset.dir !== "asc";
        th.dataset.dir = down ? "asc" : "desc";
        const key = (row) => {
          const text = (row.cells[index] || {}).textContent || "";
          const n = Number(text.replace(/,/g, ""));
          return text.trim() !== "" && !Number.isNaN(n) ? n : text;
        };
        const rows = Array.from(body.rows);
        rows.sort((a, b) => { const x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * (down ? 1 : -1); });
        rows.forEach((row) => body.appendChild(row));
      });
    });
  });
});
