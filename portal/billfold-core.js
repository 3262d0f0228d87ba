/*
 * billfold-core.js: what every billfold web component shares, loaded before them:
 *
 *   <script src="https://<portal host>/billfold-core.js" defer></script>
 *
 * The API client (one error shape, bearer credential, page iteration), money and dates in the
 * visitor's locale (exact: integer minor units are never turned into floats), an html``
 * template tag that escapes every value, and Stripe.js loaded once on demand.
 */
(() => {
  "use strict";
  if (window.billfold) return;

  class ApiError extends Error {
    constructor(status, body) {
      const error = (body && body.error) || {};
      super(error.message || `The request failed (${status}).`);
      this.status = status;
      this.code = error.code || "request_failed";
      this.field = error.field || null;
    }
  }

  /** The billfold API with one credential (a portal or checkout token, a publishable key). */
  class Api {
    constructor(baseUrl, credential) {
      this.baseUrl = (baseUrl || "").replace(/\/+$/, "");
      this.credential = credential;
    }

    async request(method, path, body) {
      const headers = { Authorization: `Bearer ${this.credential}` };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const response = await fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const data = text ? JSON.parse(text) : null;
      if (!response.ok) throw new ApiError(response.status, data);
      return data;
    }

    get(path) {
      return this.request("GET", path);
    }

    post(path, body = {}) {
      return this.request("POST", path, body);
    }

    /** Every item of a list route, page after page. */
    async every(path) {
      const items = [];
      let cursor = null;
      do {
        const separator = path.includes("?") ? "&" : "?";
        const page = await this.get(cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path);
        items.push(...page.items);
        cursor = page.items.length ? page.nextCursor : null;
      } while (cursor);
      return { items };
    }
  }

  /** The claims of a signed billfold token (read, not verified: the API verifies it). */
  const tokenClaims = (token, prefix) => {
    try {
      const payload = token.slice(prefix.length).split(".")[0];
      return JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    } catch {
      return {};
    }
  };

  /** Money and dates in the visitor's locale. */
  class Formats {
    constructor(locale) {
      this.locale = locale;
      this.date = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
      this.shortDate = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric" });
      this.number = new Intl.NumberFormat(locale);
    }

    /** Integer minor units as money, exactly: the decimal is built as text, never a float. */
    money(amount, currency) {
      const format = new Intl.NumberFormat(this.locale, { style: "currency", currency });
      const digits = format.resolvedOptions().maximumFractionDigits;
      const units = String(Math.abs(amount)).padStart(digits + 1, "0");
      const decimal = digits ? `${units.slice(0, -digits)}.${units.slice(-digits)}` : units;
      return format.format(`${amount < 0 ? "-" : ""}${decimal}`);
    }

    day(iso) {
      return iso ? this.date.format(new Date(iso)) : "";
    }
  }

  const escapeHtml = (value) =>
    String(value ?? "").replace(
      /[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
    );

  /** html`...` escapes every interpolated value unless it is already markup (from html``). */
  class Markup {
    constructor(text) {
      this.text = text;
    }
    toString() {
      return this.text;
    }
  }
  const html = (strings, ...values) =>
    new Markup(
      strings.reduce((out, string, i) => {
        const value = values[i - 1];
        const text = Array.isArray(value)
          ? value.map((v) => (v instanceof Markup ? v.text : escapeHtml(v))).join("")
          : value instanceof Markup
            ? value.text
            : escapeHtml(value);
        return out + text + string;
      }),
    );

  /** Stripe.js from `url` (Stripe's, or localstripe's stand-in), loaded once. */
  let stripeLoading = null;
  const loadStripe = (url) => {
    if (window.Stripe) return Promise.resolve(window.Stripe);
    stripeLoading ||= new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url || "https://js.stripe.com/v3/";
      script.onload = () => resolve(window.Stripe);
      script.onerror = () => {
        stripeLoading = null;
        reject(new Error("Could not load the card form. Check your connection."));
      };
      document.head.append(script);
    });
    return stripeLoading;
  };

  /** The stylesheet next to a component's script, for its shadow root. */
  const stylesheetOf = (script, name) => new URL(name, script.src).href;

  const PERIOD_WORD = { monthly: "month", annual: "year" };

  window.billfold = { Api, ApiError, Formats, html, loadStripe, stylesheetOf, tokenClaims, PERIOD_WORD };
})();
