// The dashboard's two conveniences; without script, the links and the Apply button work.
document.addEventListener("click", (event) => {
  const print = event.target.closest("[data-print]");
  if (print) {
    event.preventDefault();
    window.print();
  }
});
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-navigate]");
  if (select) {
    const query = window.location.search;
    window.location.assign(select.value + query);
  }
});
