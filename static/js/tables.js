// A table wider than the screen scrolls inside its .table-wrap: such a wrapper becomes a
// named, focusable region, so that keyboard users can scroll it too (WCAG 2.1.1; axe's
// scrollable-region-focusable). A wrapper that does not scroll stays out of the tab order.
(() => {
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
  const mark = () => {
    for (const wrap of document.querySelectorAll(".table-wrap")) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
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
