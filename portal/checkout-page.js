/*
 * The standalone checkout page: a checkout session's URL carries its token in the fragment
 * (#token=...), which no server ever sees; it is taken out of the address bar at once.
 * config.json says where the API and Stripe.js are.
 */
(async () => {
  "use strict";
  const checkout = document.querySelector("billfold-checkout");
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (token) {
    window.sessionStorage.setItem("billfold-checkout-token", token);
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  const config = await (await fetch("config.json", { cache: "no-store" })).json();
  checkout.setAttribute("stripe-js-url", config.stripeJsUrl);
  checkout.setAttribute("token", token || window.sessionStorage.getItem("billfold-checkout-token") || "");
  checkout.setAttribute("api-url", config.apiUrl); // last: it starts once it knows the API
})();
