/* Version switcher and old-version banner for the multi-version site (ipt-manual versions).
 * On an ordinary build there is no versions.json and this script does nothing. */
(function () {
  "use strict";
  const root = document.documentElement.dataset.content_root || "./";
  const unitRoot = new URL(root, window.location.href);
  const indexUrl = new URL("../../versions.json", unitRoot);
  const rel = decodeURIComponent(window.location.pathname.slice(unitRoot.pathname.length));
  const manual = rel.split("/")[0];

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text) node.textContent = text;
    return node;
  }

  fetch(indexUrl.href).then((r) => (r.ok ? r.json() : null)).then((index) => {
    if (!index || !index.manuals || !index.manuals[manual]) return;
    const info = index.manuals[manual];
    const here = unitRoot.pathname.replace(/\/$/, "").split("/").slice(-2);
    const current = info.versions.find((v) => v.path === here.join("/") + "/") || null;
    const host = document.querySelector("article[role=main]") || document.querySelector("[role=main]") || document.body;
    const bar = el("nav", { class: "ipt-versions", "aria-label": "Manual versions" });
    const label = el("label", { for: "ipt-version-select" }, "Version of this manual: ");
    const select = el("select", { id: "ipt-version-select" });
    info.versions.forEach((v) => {
      const text = v.version === "dev" ? "development (" + v.manual_version + ")" : v.version +
        (v.version === info.latest ? " (current)" : "");
      const option = el("option", { value: v.path }, text);
      if (current && v.path === current.path) option.selected = true;
      select.appendChild(option);
    });
    select.addEventListener("change", () => {
      const target = info.versions.find((v) => v.path === select.value);
      const unit = index.units[target.unit];
      const page = unit && unit.pages.includes(rel) ? rel : manual + "/index.html";
      window.location.href = new URL("../../" + target.path + page, unitRoot).href;
    });
    label.appendChild(select);
    bar.appendChild(label);
    host.insertBefore(bar, host.firstChild);
    if (current && info.latest && current.version !== info.latest) {
      const latest = info.versions.find((v) => v.version === info.latest);
      const unit = index.units[latest.unit];
      const page = unit && unit.pages.includes(rel) ? rel : manual + "/index.html";
      const banner = el("div", { class: "ipt-version-banner", role: "note" });
      const text = current.version === "dev"
        ? "This is the development version of this manual, not yet released. "
        : "You are reading version " + current.version + " of this manual. ";
      banner.appendChild(document.createTextNode(text));
      const link = el("a", { href: new URL("../../" + latest.path + page, unitRoot).href },
        "Read the current version (" + info.latest + ")");
      banner.appendChild(link);
      host.insertBefore(banner, bar.nextSibling);
    }
  }).catch(() => {});
})();
