/*
 * The standalone portal page: the portal session URL carries the token in its fragment
 * (#token=...), which no server ever sees. It is taken out of the address bar at once, so it
 * is not left in the history or in a shared screenshot; config.json says where the API and
 * Stripe.js are (set at deploy time: CloudFront, or the local stack).
 */
(async () => {
  "use strict";
  const portal = document.querySelector("billfold-portal");
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const token = fragment.get("token");
  if (token) {
    window.sessionStorage.setItem("billfold-token", token); // survives a reload, not the tab
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  const config = await (await fetch("config.json", { cache: "no-store" })).json();
  portal.setAttribute("stripe-js-url", config.stripeJsUrl);
  if (fragment.get("view")) portal.setAttribute("view", fragment.get("view")); // an email's link
  portal.setAttribute("token", token || window.sessionStorage.getItem("billfold-token") || "");
  portal.setAttribute("api-url", config.apiUrl); // last: the portal starts once it knows the API
})();
