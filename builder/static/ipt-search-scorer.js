/* Sphinx's search scorer for the IPT manuals (html_search_scorer).
 * Topic pages (sessions, problem areas, techniques, worksheets) rank above overview pages
 * (a manual's home, "how it differs", indexes, the comparison matrix); pages of the manual
 * searched from rank above the same page of other manuals. Sphinx scores a page by its best
 * single word, so "role dispute" would tie "Role disputes" with "Dispute stage review": a page
 * whose title holds more of the query's words (singular or plural) ranks higher, and a title
 * that is the query itself highest. Scores otherwise as Sphinx does. */
const iptWords = (text) => (text || "").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)
  .map((word) => (word.length > 3 && word.endsWith("s") ? word.slice(0, -1) : word));

var Scorer = {
  score: (result) => {
    const [docname, title, , , score] = result;
    const params = new URLSearchParams(window.location.search);
    const manual = params.get("manual");
    const query = iptWords(params.get("q"));
    const titleWords = iptWords(title.replace(/\s*\([^)]*\)\s*$/, ""));  // without the "(Manual)" suffix
    let bonus = 0;
    if (/\/(sessions|problem-areas|techniques|worksheets)\/(?!index$)[^/]+$/.test(docname)) bonus += 10;
    if (/(^|\/)(index|differences|local-changes|matrix|genindex)$/.test(docname)) bonus -= 10;
    if (manual && docname.startsWith(manual + "/")) bonus += 20;
    bonus += 4 * query.filter((word) => titleWords.includes(word)).length;
    if (query.length && query.join(" ") === titleWords.join(" ")) bonus += 4;
    return score + bonus;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
