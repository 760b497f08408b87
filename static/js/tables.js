// Tables wider than their box. On a phone (the CSS breakpoint, 48rem) such a table
// reflows into stacked cards: a card per row, each cell under its column's heading
// (data-label, taken from the table's header once; a template may set its own). Wider
// screens keep the table, and a wrapper that scrolls becomes a named, focusable region,
// so that keyboard users can scroll it too (WCAG 2.1.1; axe's
// scrollable-region-focusable). A wrapper that does not scroll stays out of the tab order.
// Without JavaScript a wide table scrolls inside its .table-wrap, as before.
(() => {
  const phone = window.matchMedia("(max-width: 48rem)");

  const label = (wrap) => {
    const table = wrap.querySelector("table");
    const caption = table && table.caption;
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    let node = wrap;
    while (node && node !== document.body) {
      let sibling = node.previousElementSibling;
      while (sibling) {
        const heading = sibling.matches("h1, h2, h3, h4")
          ? sibling
          : sibling.querySelector("h1, h2, h3, h4");
        if (heading && heading.textContent.trim()) return heading.textContent.trim();
        sibling = sibling.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  };

  // A heading's visible words: a heading only screen readers hear (a chart's column, an
  // actions column) gives its cells no label on a card.
  const visibleText = (th) => {
    const copy = th.cloneNode(true);
    for (const hidden of copy.querySelectorAll(".visually-hidden")) hidden.remove();
    return copy.textContent.replace(/\s+/g, " ").trim();
  };

  const labelCells = (table) => {
    if (table.dataset.labelled) return;
    table.dataset.labelled = "true";
    const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    const headings = [];
    for (const th of head.cells) {
      for (let i = 0; i < th.colSpan; i++) headings.push(visibleText(th));
    }
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        let column = 0;
        for (const cell of row.cells) {
          // A cell across several columns ("fewer than 5" for a whole row) says so itself.
          if (cell.colSpan === 1 && !cell.hasAttribute("data-label") && headings[column]) {
            cell.setAttribute("data-label", headings[column]);
          }
          column += cell.colSpan;
        }
      }
    }
  };

  const overflows = (wrap) => wrap.scrollWidth > wrap.clientWidth + 1;

  const mark = () => {
    for (const wrap of document.querySelectorAll(".table-wrap")) {
      wrap.classList.remove("stacked");
      const table = wrap.querySelector("table");
      if (phone.matches && table && table.tHead && overflows(wrap)) {
        labelCells(table);
        wrap.classList.add("stacked");
      }
      if (overflows(wrap)) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", label(wrap));
      } else {
        for (const name of ["tabindex", "role", "aria-label"]) wrap.removeAttribute(name);
      }
    }
  };
  let pending;
  const soon = () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(mark);
  };
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSwap", soon);
  window.addEventListener("resize", soon);
})();
