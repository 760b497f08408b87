// A time zone select (organizations.forms.TimeZoneSelect: a "Likely" group first, then the
// zones by region) gains the browser's own zone among the likely ones, selected when no zone
// is chosen yet, and a search box above it that narrows the list as one types. Without this
// script the select still works, likely zones first.
(() => {
  const words = (text) => text.toLowerCase().replace(/[_/]+/g, " ");
  // Chromium's ICU still answers some zones by their old names (Asia/Calcutta): the names
  // the tz database uses now, so that the person sees the one they know.
  const CURRENT = {
    "Africa/Asmera": "Africa/Asmara",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Godthab": "America/Nuuk",
    "America/Indianapolis": "America/Indiana/Indianapolis",
    "America/Louisville": "America/Kentucky/Louisville",
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "Europe/Kiev": "Europe/Kyiv",
    "Pacific/Enderbury": "Pacific/Kanton",
    "Pacific/Ponape": "Pacific/Pohnpei",
    "Pacific/Truk": "Pacific/Chuuk",
  };
  const browserZone = () => {
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
      return CURRENT[zone] || zone;
    } catch {
      return "";
    }
  };

  const addBrowserZone = (select) => {
    const likely = select.querySelector("optgroup");
    const zone = browserZone();
    const option = Array.from(select.options).find((each) => each.value === zone);
    if (!likely || !option) return;
    const chosen = Array.from(select.options).some((each) => each.defaultSelected);
    if (option.parentElement !== likely) {
      // First when nothing is chosen (and then selected); else just after the chosen zone.
      const before = chosen ? likely.firstElementChild.nextElementSibling : likely.firstElementChild;
      likely.insertBefore(option, before);
    }
    if (!chosen) option.selected = true;
  };

  const addSearch = (select) => {
    const box = document.createElement("div");
    box.className = "time-zone-search";
    const label = document.createElement("label");
    const input = document.createElement("input");
    const status = document.createElement("span");
    input.type = "search";
    input.id = `${select.id}_search`;
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    label.htmlFor = input.id;
    label.textContent = select.dataset.searchLabel || "Search time zones";
    status.className = "hint";
    status.setAttribute("role", "status");
    box.append(label, input, status);
    select.before(box);

    input.addEventListener("input", () => {
      const query = words(input.value).split(" ").filter(Boolean);
      let first = null;
      let count = 0;
      for (const option of select.options) {
        const text = words(`${option.value} ${option.textContent}`);
        option.hidden = !query.every((word) => text.includes(word));
        if (!option.hidden) {
          count += 1;
          first = first || option;
        }
      }
      for (const group of select.querySelectorAll("optgroup")) {
        group.hidden = !Array.from(group.children).some((option) => !option.hidden);
      }
      // The select shows a match, so that leaving the box keeps what was found.
      const current = select.options[select.selectedIndex];
      if (first && (!current || current.hidden)) first.selected = true;
      const template = select.dataset.matchesLabel || "Zones that match: %s";
      status.textContent = query.length ? template.replace("%s", count) : "";
    });
    input.addEventListener("keydown", (event) => {
      // Enter or the down arrow moves on to the narrowed list rather than sending the form.
      if (event.key === "Enter" || event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      }
    });
  };

  const enhance = () => {
    for (const select of document.querySelectorAll("select[data-time-zone-picker]")) {
      if (select.dataset.timeZonePickerReady) continue;
      select.dataset.timeZonePickerReady = "1";
      addBrowserZone(select);
      addSearch(select);
    }
  };
  document.addEventListener("DOMContentLoaded", enhance);
  document.addEventListener("htmx:afterSwap", enhance);
})();
