/* The theme's light/dark/auto choice, restored before the page is drawn. Furo ships this as an
 * inline script; the site's Content-Security-Policy allows only script files, so it lives here. */
document.body.dataset.theme = localStorage.getItem("theme") || "auto";
