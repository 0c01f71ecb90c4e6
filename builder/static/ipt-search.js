/* Search within one manual. From a page of a manual, the search box searches that manual
 * (?manual=<id>); the results page offers to search all manuals, and names each result's manual.
 * Sphinx's own search does the work: this only narrows and labels its results. */
(function () {
  "use strict";
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";
  const current = meta("ipt-manual");
  let labels = {};
  try { labels = JSON.parse(meta("ipt-manuals") || "{}"); } catch (e) { labels = {}; }

  function scopeForms() {
    if (!current) return;
    document.querySelectorAll("form.sidebar-search-container, form[action$='search.html']").forEach((form) => {
      if (form.querySelector("input[name=manual]")) return;
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "manual";
      input.value = current;
      form.appendChild(input);
    });
  }

  function scopeResults() {
    if (typeof Search === "undefined" || !Search._performSearch || Search._iptScoped) return;
    const params = new URLSearchParams(window.location.search);
    const manual = labels[params.get("manual")] ? params.get("manual") : "";
    const original = Search._performSearch;
    Search._performSearch = function (...args) {
      let results = original.apply(this, args);
      if (manual) results = results.filter((r) => r[0].startsWith(manual + "/"));
      return results.map((r) => {
        const id = r[0].split("/")[0];
        const copy = r.slice();
        if (labels[id] && r[0].includes("/")) copy[1] = `${r[1]} (${labels[id]})`;
        return copy;
      });
    };
    Search._iptScoped = true;
    showScope(params, manual);
  }

  function showScope(params, manual) {
    const host = document.getElementById("search-results");
    if (!host || !host.parentNode) return;
    const note = document.createElement("p");
    note.className = "ipt-search-scope";
    const other = new URLSearchParams(params);
    if (manual) {
      other.delete("manual");
      note.append(`Searching the ${labels[manual]} manual only. `);
      const link = document.createElement("a");
      link.href = "?" + other.toString();
      link.textContent = "Search all manuals";
      note.append(link);
    } else {
      note.append("Searching all manuals.");
    }
    host.parentNode.insertBefore(note, host);
  }

  // deferred: the page is parsed, Sphinx's searchtools.js has run, its index has not been applied yet
  scopeForms();
  scopeResults();
})();
