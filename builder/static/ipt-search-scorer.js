/* Sphinx's search scorer for the IPT manuals (html_search_scorer).
 * Topic pages (sessions, problem areas, techniques, worksheets) rank above overview pages
 * (a manual's home, "how it differs", indexes, the comparison matrix); pages of the manual
 * searched from rank above the same page of other manuals. Scores otherwise as Sphinx does. */
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    const manual = new URLSearchParams(window.location.search).get("manual");
    let bonus = 0;
    if (/\/(sessions|problem-areas|techniques|worksheets)\/(?!index$)[^/]+$/.test(docname)) bonus += 10;
    if (/(^|\/)(index|differences|local-changes|matrix|genindex)$/.test(docname)) bonus -= 10;
    if (manual && docname.startsWith(manual + "/")) bonus += 20;
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
