/*
 * <billfold-portal>: the customer's self-serve billing page, as one web component.
 *
 *   <script src="https://<portal host>/billfold-core.js" defer></script>
 *   <script src="https://<portal host>/billfold-portal.js" defer></script>
 *   <billfold-portal api-url="https://<api>/<stage>" token="bf_pt_..."
 *                    stripe-js-url="https://js.stripe.com/v3/"></billfold-portal>
 *
 * Attributes: api-url, token (from POST /v1/portal-sessions), stripe-js-url (Stripe.js, or
 * localstripe's stand-in locally), locale (default: the browser's), return-url (a link back to
 * the app when the session has expired), invoice-page-size (default 12), view (a section to
 * bring into view once loaded: subscription, usage, plans, addons, credits, payment or invoices). Theme it with CSS
 * variables on the element: --bf-color-*, --bf-font-family, --bf-radius (billfold-portal.css).
 *
 * A plain custom element with a shadow root, no framework and no build step: it drops into any
 * page or framework, the host page's CSS cannot break it, and it works under a strict CSP (no
 * inline script or style). The card form is the one part in the light DOM (slotted): Stripe.js
 * mounts its card element into the host document.
 */
(() => {
  "use strict";
  const SCRIPT = document.currentScript;

  /** Everything below needs billfold-core.js: load it from beside this script when the page
   * did not (embeds written before it existed). */
  const whenCoreLoaded = (define) => {
    if (window.billfold) return define();
    const core = document.createElement("script");
    core.src = new URL("billfold-core.js", SCRIPT.src).href;
    core.onload = define;
    document.head.append(core);
  };

  whenCoreLoaded(() => {
    const STYLESHEET = new URL("billfold-portal.css", SCRIPT.src).href;

    const { Api, ApiError, Formats, html, loadStripe, tokenClaims, PERIOD_WORD } = window.billfold;

    /** The billfold API, as this customer's portal token may use it. */
    class PortalApi extends Api {
      constructor(baseUrl, token) {
        super(baseUrl, token);
        this.customerId = tokenClaims(token, "bf_pt_").sub || null;
      }

      customer(suffix = "") {
        return `/v1/customers/${encodeURIComponent(this.customerId)}${suffix}`;
      }
    }

    const brandName = (card) => card.brand.charAt(0).toUpperCase() + card.brand.slice(1);
    const STATUS_TEXT = {
      active: "Active",
      trialing: "Free trial",
      past_due: "Payment overdue",
      canceled: "Canceled",
    };

    class BillfoldPortal extends HTMLElement {
      static get observedAttributes() {
        return ["api-url", "token", "locale"];
      }

      constructor() {
        super();
        this.attachShadow({ mode: "open" }).innerHTML = html`<link rel="stylesheet" href="${STYLESHEET}" />
          <div class="portal" part="portal"></div>
          <dialog class="dialog" aria-labelledby="dialog-title"></dialog>`.text;
        this.state = { phase: "loading" };
        this.period = null; // the billing period shown in the plan picker
        this.addonDraft = {}; // addonId -> quantity being edited
        this.cardForm = null; // { stripe, card, clientSecret } while adding a card
        this.shadowRoot.addEventListener("click", (event) => this.onClick(event));
        this.shadowRoot.addEventListener("change", (event) => this.onChange(event));
      }

      connectedCallback() {
        this.start();
      }

      attributeChangedCallback(_name, before, after) {
        if (this.isConnected && before !== after) this.start();
      }

      /** Invoices per page (`invoice-page-size`, 1–100, default 12). */
      get invoicePageSize() {
        const size = Number.parseInt(this.getAttribute("invoice-page-size") || "12", 10);
        return Math.min(100, Math.max(1, Number.isNaN(size) ? 12 : size));
      }

      get formats() {
        const locale = this.getAttribute("locale") || navigator.language || "en-US";
        if (!this._formats || this._formats.locale !== locale) this._formats = new Formats(locale);
        return this._formats;
      }

      start() {
        const apiUrl = this.getAttribute("api-url");
        const token = this.getAttribute("token");
        if (!apiUrl) {
          this.show({ phase: "loading" }); // the page has not said where the API is yet
          return;
        }
        this.api = new PortalApi(apiUrl, token || "");
        if (!this.api.customerId) {
          this.show({ phase: "expired" });
          return;
        }
        this.load();
      }

      /** Read everything the page shows, in parallel. */
      async load(notice = null) {
        const api = this.api;
        const optional = (promise) => promise.catch((e) => (e.status === 404 ? null : Promise.reject(e)));
        try {
          const [
            subscription, entitlements, features, plans, addons, cards, invoices, credit,
            wallets, creditTypes, spendLimit,
          ] =
            await Promise.all([
              optional(api.get(api.customer("/subscription"))),
              optional(api.get(api.customer("/entitlements"))),
              api.every("/v1/features?limit=100"),
              api.every("/v1/plans?limit=100"),
              api.every("/v1/addons?limit=100"),
              api.get(api.customer("/payment-methods")),
              api.get(api.customer(`/invoices?limit=${this.invoicePageSize}`)),
              api.get(api.customer("/credit-balance")),
              api.get(api.customer("/credits")),
              api.every("/v1/credit-types?limit=100"),
              optional(api.get(api.customer("/spend-limit"))),
            ]);
          const ledgers = await Promise.all(
            wallets.items.map((w) =>
              api
                .get(api.customer(`/credits/${encodeURIComponent(w.creditTypeId)}/ledger?limit=5`))
                .then((page) => [w.creditTypeId, page.items]),
            ),
          );
          const charted = (entitlements ? entitlements.items : []).filter(
            (item) => item.resetAt && this.featureType(features.items, item.featureId) === "metered",
          ); // usage that resets has a history worth a chart
          const histories = await Promise.all(
            charted.map((item) =>
              api
                .get(api.customer(`/usage/${encodeURIComponent(item.featureId)}/history?limit=6`))
                .then((page) => [item.featureId, page.items])
                .catch(() => [item.featureId, []]),
            ),
          );
          this.period = this.period || (subscription && subscription.billingPeriod) || "monthly";
          this.addonDraft = {};
          this.show({
            phase: "ready",
            subscription,
            entitlements: entitlements ? entitlements.items : [],
            features: new Map(features.items.map((f) => [f.id, f])),
            plans: plans.items.filter((p) => p.status === "active"),
            addons: addons.items.filter((a) => a.status === "active"),
            cards: cards.items,
            invoices: invoices.items,
            olderInvoices: invoices.nextCursor,
            credits: credit.balances,
            wallets: wallets.items,
            creditTypes: creditTypes.items,
            ledgers: new Map(ledgers),
            spendLimit,
            histories: new Map(histories),
            notice,
          });
          this.reveal();
        } catch (error) {
          this.fail(error);
        }
      }

      /** Bring the section named by `view` into view (once: an email's link opened the page). */
      reveal() {
        const view = this.getAttribute("view");
        if (!view) return;
        this.removeAttribute("view");
        const section = this.shadowRoot.querySelector(`[data-section="${CSS.escape(view)}"]`);
        if (section) {
          section.scrollIntoView({ block: "start" });
          section.setAttribute("tabindex", "-1");
          section.focus({ preventScroll: true });
        }
      }

      featureType(features, id) {
        const feature = features.find((f) => f.id === id);
        return feature ? feature.type : null;
      }

      fail(error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          this.show({ phase: "expired" });
        } else {
          this.show({ phase: "error", message: error.message || "Something went wrong." });
        }
      }

      show(state) {
        this.state = state;
        this.render();
      }

      // ---- rendering -------------------------------------------------------------------------

      render() {
        const s = this.state;
        let body;
        if (s.phase === "loading") {
          body = html`<p class="status" role="status">Loading your billing details…</p>`;
        } else if (s.phase === "expired") {
          const back = this.getAttribute("return-url");
          body = html`<div class="panel" role="alert">
            <h2>Your billing session has expired</h2>
            <p>For your security, billing links work for a limited time. Go back to the app and open
            billing again.</p>
            ${back ? html`<a class="button" href="${back}">Back to the app</a>` : ""}
          </div>`;
        } else if (s.phase === "error") {
          body = html`<div class="panel" role="alert">
            <h2>We could not load your billing details</h2>
            <p>${s.message}</p>
            <button type="button" data-action="reload">Try again</button>
          </div>`;
        } else {
          body = html`
            ${s.notice ? html`<p class="notice" role="status" tabindex="-1">${s.notice}</p>` : ""}
            ${this.subscriptionSection()} ${this.usageSection()} ${this.plansSection()}
            ${this.addonsSection()} ${this.creditsSection()} ${this.spendSection()} ${this.paymentSection()}
            ${this.invoicesSection()}`;
        }
        this.shadowRoot.querySelector(".portal").innerHTML = body.text;
        for (const fill of this.shadowRoot.querySelectorAll("[data-fill]")) {
          fill.style.width = `${fill.dataset.fill}%`; // CSSOM: allowed under a strict CSP
        }
        const notice = this.shadowRoot.querySelector(".notice");
        if (notice) notice.focus();
      }

      planById(id) {
        return this.state.plans.find((p) => p.id === id);
      }

      price(item, period, currency) {
        const price = this.priceEntry(item, period, currency);
        return price ? price.amount : null;
      }

      /** The item's price for the period and currency (free: amount 0; none sold: null). */
      priceEntry(item, period, currency) {
        if (!item.prices.length) return { model: "per_unit", amount: 0 }; // no prices: free
        return item.prices.find((p) => p.billingPeriod === period && p.currency === currency) || null;
      }

      /** An add-on's price as a customer reads it: each, per package, or tier by tier. */
      unitPriceText(price, currency, per) {
        const f = this.formats;
        if (price.model === "package") {
          return `${f.money(price.amount, currency)} per ${f.number.format(price.packageSize)} / ${per}`;
        }
        if (!price.tiers) return `${f.money(price.amount, currency)} each / ${per}`;
        let first = 1;
        const tiers = price.tiers.map((t) => {
          const span = t.upTo === null ? `${f.number.format(first)}+` : `${f.number.format(first)}–${f.number.format(t.upTo)}`;
          first = (t.upTo || first) + 1;
          return `${f.money(t.unitAmount, currency)} (${span})`;
        });
        const kind = price.model === "volume" ? "all units at their tier's price" : "by tier";
        return `${tiers.join(", ")} each, ${kind} / ${per}`;
      }

      /** A price per period as a price per year, to compare plans across periods. */
      yearly(amount, period) {
        return period === "monthly" ? amount * 12 : amount;
      }

      subscriptionSection() {
        const sub = this.state.subscription;
        const f = this.formats;
        if (!sub || sub.status === "canceled") {
          return html`<section class="card" aria-labelledby="sub-title" data-section="subscription">
            <h2 id="sub-title">Your plan</h2>
            <p class="empty">You have no active subscription.</p>
          </section>`;
        }
        const per = PERIOD_WORD[sub.billingPeriod];
        const next = sub.nextInvoice;
        let when;
        if (sub.cancelAtPeriodEnd) {
          const fallback = this.planById(this.planById(sub.planId)?.fallbackPlanId || "");
          when = html`<p class="warning">Cancels on <strong>${f.day(sub.currentPeriodEnd)}</strong>.
            ${fallback ? html`After that you move to the ${fallback.name} plan.` : "You keep access until then."}</p>`;
        } else if (sub.status === "trialing") {
          when = html`<p>Your free trial ends on <strong>${f.day(sub.trialEnd)}</strong>${
            next ? html`; then ${f.money(next.amount, next.currency)} per ${per}` : ""
          }.</p>`;
        } else if (next) {
          when = html`<p>Renews on <strong>${f.day(next.date)}</strong> for
            <strong>${f.money(next.amount, next.currency)}</strong>${
              next.discount || next.creditApplied
                ? html` <span class="muted">(${f.money(next.subtotal, next.currency)}${
                    next.discount ? html`, less ${f.money(next.discount, next.currency)} discount` : ""
                  }${
                    next.creditApplied ? html`, less ${f.money(next.creditApplied, next.currency)} credit` : ""
                  })</span>`
                : ""
            }.</p>`;
        } else {
          when = "";
        }
        const credits = this.state.credits.filter((c) => c.amount > 0);
        const scheduled = sub.scheduledChange;
        const target = scheduled && this.planById(scheduled.planId);
        return html`<section class="card" aria-labelledby="sub-title" data-section="subscription">
          <div class="row">
            <h2 id="sub-title">Your plan</h2>
            <span class="badge badge-${sub.status}">${STATUS_TEXT[sub.status] || sub.status}</span>
          </div>
          <p class="plan-name">${sub.planName}
            <span class="price">${f.money(sub.price, sub.currency)} / ${per}</span></p>
          <p class="muted">Current period: ${f.day(sub.currentPeriodStart)} – ${f.day(sub.currentPeriodEnd)}</p>
          ${when}
          ${sub.addons.length
            ? html`<ul class="addons">${sub.addons.map(
                (a) => html`<li>${a.quantity} × ${a.name}
                  <span class="muted">${f.money(a.amount, sub.currency)} / ${per}</span></li>`,
              )}</ul>`
            : ""}
          ${scheduled
            ? html`<p class="info">On ${f.day(scheduled.effectiveAt)} your plan changes to
                <strong>${target ? target.name : scheduled.planId}</strong>
                (${PERIOD_WORD[scheduled.billingPeriod]}ly billing).</p>`
            : ""}
          ${sub.coupon
            ? html`<p data-coupon>Discount: <strong>${sub.coupon.discount.name}</strong>${
                sub.coupon.promotionCode ? html` (code ${sub.coupon.promotionCode})` : ""
              }</p>`
            : ""}
          ${credits.length
            ? html`<p data-credit>Credit balance: ${credits.map(
                (c) => html`<strong>${f.money(c.amount, c.currency)}</strong>`,
              )}, taken off your next invoices.</p>`
            : ""}
          ${sub.status === "past_due"
            ? html`<p class="error" role="alert">Your last payment failed. Update your card or pay the
                open invoice below.</p>`
            : ""}
          ${sub.cancelAtPeriodEnd
            ? ""
            : html`<div class="promo">
                <label for="promotion-code">Promotion code</label>
                <input id="promotion-code" type="text" autocomplete="off" spellcheck="false"
                  maxlength="40" />
                <button type="button" class="quiet" data-action="apply-code">Apply</button>
              </div>`}
          <div class="actions">
            ${sub.cancelAtPeriodEnd
              ? html`<button type="button" data-action="resume">Resume subscription</button>`
              : html`<button type="button" class="quiet danger" data-action="cancel">Cancel subscription</button>`}
          </div>
        </section>`;
      }

      /** A line's tiers, as rows under it: the units each tier priced, at what, and its flat fee
       * (for a whole period: a prorated line charges a share of it). */
      tierRows(line) {
        const f = this.formats;
        const tiers = line.tiers || [];
        const currency = line.currency;
        const whole = tiers.reduce((sum, t) => sum + t.amount, 0) === Math.abs(line.amount) ? "" : ", whole period";
        return tiers.map(
          (t) => html`<tr class="tier"><td>${this.tierName(t)}${whole}: ${f.number.format(t.quantity)} × ${f.money(t.unitAmount, currency)}${
            t.flatAmount ? html` + ${f.money(t.flatAmount, currency)} flat` : ""}</td>
            <td class="amount muted">${f.money(t.amount, currency)}</td></tr>`,
        );
      }

      tierName(tier) {
        const f = this.formats;
        const last = tier.lastUnit === null ? "+" : `–${f.number.format(tier.lastUnit)}`;
        return `Tier ${tier.tier} (${f.number.format(tier.firstUnit)}${last})`;
      }

      /** Where a soft-limited feature's usage stands in its overage price, and what one more
       * unit costs: the tier it is in, or the package it fills. */
      overageText(entitlement) {
        const sub = this.state.subscription;
        const plan = sub && this.planById(sub.planId);
        const terms = plan && plan.effectiveEntitlements.find((e) => e.featureId === entitlement.featureId);
        if (!terms || terms.enforcement !== "soft") return "";
        const price = (terms.overagePrices || []).find((p) => p.currency === sub.currency);
        if (!price || entitlement.limit === null) return "";
        const f = this.formats;
        const over = Math.max(0, entitlement.usage - entitlement.limit);
        if (price.model === "package") {
          return html`<p class="muted overage">Past the included amount: ${f.money(price.amount, sub.currency)}
            per ${f.number.format(price.packageSize)}</p>`;
        }
        if (!price.tiers) {
          return html`<p class="muted overage">Each unit past the included amount: ${f.money(price.amount, sub.currency)}</p>`;
        }
        let firstUnit = 1;
        const spans = price.tiers.map((t, i) => {
          const span = { tier: i + 1, firstUnit, lastUnit: t.upTo, ...t };
          firstUnit = (t.upTo || firstUnit) + 1;
          return span;
        });
        const holding = (unit) => spans.find((t) => t.lastUnit === null || unit <= t.lastUnit);
        const [now, next] = [holding(Math.max(over, 1)), holding(over + 1)];
        const entering = price.model === "graduated" && next.tier > 1 && over + 1 === next.firstUnit;
        const nextUnit = next.unitAmount + (entering ? next.flatAmount : 0);
        return html`<p class="muted overage">${over ? `Overage in ${this.tierName(now)}` : "Within the included amount"}
          · next unit ${f.money(nextUnit, sub.currency)}</p>`;
      }

      usageSection() {
        const { entitlements, features, histories } = this.state;
        const f = this.formats;
        if (!entitlements.length) return "";
        const unitOf = (feature, n) =>
          feature && feature.unit ? (n === 1 ? feature.unit.singular : feature.unit.plural) : "";
        const metered = entitlements.filter((e) => features.get(e.featureId)?.type === "metered");
        const included = entitlements.filter((e) => features.get(e.featureId)?.type !== "metered");
        const meter = (e) => {
          const feature = features.get(e.featureId);
          const name = feature ? feature.name : e.featureId;
          const limit = e.unlimited ? null : e.limit;
          const percent = limit ? Math.min(100, Math.round((e.usage / limit) * 100)) : 0;
          const level = percent >= 100 ? "full" : percent >= 80 ? "high" : "ok";
          return html`<li class="meter">
            <div class="row"><span class="feature">${name}</span>
              <span>${f.number.format(e.usage)} ${limit === null ? "" : html`of ${f.number.format(limit)}`}
                ${unitOf(feature, limit ?? e.usage)}${limit === null ? html` <span class="muted">(unlimited)</span>` : ""}</span></div>
            ${limit === null
              ? ""
              : html`<div class="bar" role="progressbar" aria-label="${name} used"
                  aria-valuemin="0" aria-valuemax="${limit}" aria-valuenow="${Math.min(e.usage, limit)}">
                  <div class="fill fill-${level}" data-fill="${percent}"></div></div>`}
            <p class="muted">${e.resetAt ? html`Resets on ${f.day(e.resetAt)}` : "Does not reset"}
              ${e.softLimitExceeded ? html` · <span class="warning">over the included amount</span>` : ""}</p>
            ${this.overageText(e)}
            ${e.resetAt ? this.chart(name, histories.get(e.featureId) || []) : ""}
          </li>`;
        };
        const includedText = (e) => {
          const feature = features.get(e.featureId);
          const name = feature ? feature.name : e.featureId;
          if (feature && feature.type === "numeric" && e.limit !== null) {
            return html`<li>${name}: ${f.number.format(e.limit)} ${unitOf(feature, e.limit)}</li>`;
          }
          return html`<li>${name}</li>`;
        };
        return html`<section class="card" aria-labelledby="usage-title" data-section="usage">
          <h2 id="usage-title">Usage</h2>
          <ul class="meters">${metered.map(meter)}</ul>
          ${included.length
            ? html`<h3>Included in your plan</h3><ul class="included">${included.map(includedText)}</ul>`
            : ""}
        </section>`;
      }

      /** A small bar chart of usage per period, oldest first (SVG: no inline style). */
      chart(name, periods) {
        if (periods.length < 2) return "";
        const f = this.formats;
        const points = [...periods].reverse();
        const peak = Math.max(1, ...points.map((p) => p.used));
        const [width, gap, height, axis] = [44, 12, 56, 18];
        const label = (p) => f.shortDate.format(new Date(p.periodStart));
        const bars = points.map((p, i) => {
          const h = Math.max(2, Math.round((p.used / peak) * height));
          const x = i * (width + gap);
          return html`<g><title>${label(p)}: ${f.number.format(p.used)}</title>
            <rect class="${i === points.length - 1 ? "now" : ""}" x="${x}" y="${height - h}"
              width="${width}" height="${h}" rx="4"></rect>
            <text x="${x + width / 2}" y="${height + axis - 4}" text-anchor="middle">${label(p)}</text></g>`;
        });
        const total = points.length * (width + gap) - gap;
        const summary = points.map((p) => `${label(p)}: ${f.number.format(p.used)}`).join(", ");
        return html`<svg class="chart" viewBox="0 0 ${total} ${height + axis}" width="${total}"
          height="${height + axis}" role="img" aria-label="${name} per period: ${summary}">${bars}</svg>`;
      }

      plansSection() {
        const { subscription: sub, plans } = this.state;
        if (!sub || sub.status === "canceled") return "";
        const f = this.formats;
        const period = this.period;
        const offered = plans
          .filter((p) => this.price(p, period, sub.currency) !== null)
          .sort((a, b) => a.displayOrder - b.displayOrder);
        const card = (plan) => {
          const amount = this.price(plan, period, sub.currency);
          const current = plan.id === sub.planId;
          const scheduled = sub.scheduledChange && sub.scheduledChange.planId === plan.id;
          let action;
          if (current && period === sub.billingPeriod && sub.scheduledChange) {
            action = html`<span class="badge badge-current">Current plan</span>
              <button type="button" data-action="change-plan" data-plan="${plan.id}">Keep ${plan.name}</button>`;
          } else if (current && period === sub.billingPeriod) {
            action = html`<span class="badge badge-current">Current plan</span>`;
          } else if (current) {
            action = html`<button type="button" data-action="change-plan" data-plan="${plan.id}">
              Switch to ${period} billing</button>`;
          } else {
            const direction = Math.sign(
              this.yearly(amount, period) - this.yearly(sub.price, sub.billingPeriod),
            );
            const verb = { 1: "Upgrade to", "-1": "Downgrade to", 0: "Switch to" }[direction];
            action = html`<button type="button" class="${direction < 0 ? "quiet" : ""}"
              data-action="change-plan" data-plan="${plan.id}">${verb} ${plan.name}</button>`;
          }
          return html`<li class="plan ${current ? "plan-current" : ""}">
            <h3>${plan.name}</h3>
            <p class="muted">${plan.description}</p>
            <p class="plan-price">${amount === 0 ? "Free" : html`${f.money(amount, sub.currency)}
              <span class="muted">/ ${PERIOD_WORD[period]}</span>`}</p>
            ${scheduled ? html`<span class="badge badge-scheduled">Starts ${f.day(sub.scheduledChange.effectiveAt)}</span>` : ""}
            ${action}
          </li>`;
        };
        return html`<section class="card" aria-labelledby="plans-title" data-section="plans">
          <div class="row">
            <h2 id="plans-title">Change plan</h2>
            <fieldset class="toggle">
              <legend class="visually-hidden">Billing period</legend>
              ${["monthly", "annual"].map(
                (p) => html`<label><input type="radio" name="period" value="${p}"
                  ${p === period ? html`checked` : ""} data-action="period" />
                  ${p === "monthly" ? "Monthly" : "Annual"}</label>`,
              )}
            </fieldset>
          </div>
          <ul class="plans">${offered.map(card)}</ul>
        </section>`;
      }

      addonsSection() {
        const { subscription: sub, addons } = this.state;
        if (!sub || sub.status === "canceled") return "";
        const held = new Map(sub.addons.map((a) => [a.addonId, a.quantity]));
        const offered = addons.filter(
          (a) =>
            (!a.planIds.length || a.planIds.includes(sub.planId)) &&
            this.priceEntry(a, sub.billingPeriod, sub.currency) !== null,
        );
        if (!offered.length) return "";
        const changed = offered.some(
          (a) => (this.addonDraft[a.id] ?? held.get(a.id) ?? 0) !== (held.get(a.id) ?? 0),
        );
        return html`<section class="card" aria-labelledby="addons-title" data-section="addons">
          <h2 id="addons-title">Add-ons</h2>
          <ul class="addon-list">${offered.map((a) => {
            const quantity = this.addonDraft[a.id] ?? held.get(a.id) ?? 0;
            const price = this.priceEntry(a, sub.billingPeriod, sub.currency);
            return html`<li class="row">
              <div><span class="feature">${a.name}</span>
                <span class="muted">${this.unitPriceText(price, sub.currency, PERIOD_WORD[sub.billingPeriod])}</span></div>
              <label class="quantity">Quantity
                <input type="number" min="0" max="${a.maxQuantity ?? 999}" step="1" inputmode="numeric"
                  value="${quantity}" data-action="addon-quantity" data-addon="${a.id}"
                  aria-label="${a.name} quantity" /></label>
            </li>`;
          })}</ul>
          <div class="actions">
            <button type="button" data-action="review-addons" ${changed ? "" : html`disabled`}>
              Review add-on changes</button>
          </div>
        </section>`;
      }

      /** The currency the customer pays in: the subscription's, else the first a pack sells in. */
      payingCurrency(type) {
        const sub = this.state.subscription;
        if (sub) return sub.currency;
        const first = type.packs.find((p) => p.prices.length);
        return first ? first.prices[0].currency : null;
      }

      creditsSection() {
        const { wallets, creditTypes, ledgers } = this.state;
        const held = new Map(wallets.map((w) => [w.creditTypeId, w]));
        const shown = creditTypes.filter((t) => held.has(t.id) || t.packs.length);
        if (!shown.length) return "";
        const f = this.formats;
        const ENTRY = { grant: "Added", consume: "Used", expire: "Expired", void: "Voided", refund: "Refunded" };
        const card = (type) => {
          const wallet = held.get(type.id) || { balance: 0, grants: [], autoRecharge: null };
          const currency = this.payingCurrency(type);
          const expiring = wallet.grants.filter((g) => g.expiresAt);
          const ledger = ledgers.get(type.id) || [];
          const recharge = wallet.autoRecharge;
          const packs = type.packs.filter((p) => p.prices.some((price) => price.currency === currency));
          return html`<div class="credit-type" data-credit-type="${type.id}">
            <div class="row"><h3>${type.name}</h3>
              <span class="balance">${f.number.format(wallet.balance)} ${wallet.balance === 1 ? type.unit.singular : type.unit.plural}</span></div>
            ${expiring.length
              ? html`<ul class="expiring">${expiring.map(
                  (g) => html`<li>${f.number.format(g.remaining)} expire on ${f.day(g.expiresAt)}</li>`,
                )}</ul>`
              : ""}
            ${recharge && recharge.enabled
              ? html`<p class="muted">Auto-recharge: when fewer than ${f.number.format(recharge.threshold)} are left</p>`
              : ""}
            ${recharge && recharge.disabledReason
              ? html`<p class="warning">Auto-recharge is off: ${recharge.disabledReason}</p>`
              : ""}
            ${ledger.length
              ? html`<table class="ledger"><caption class="visually-hidden">Recent ${type.name} activity</caption>
                  <thead><tr><th scope="col">Date</th><th scope="col">What</th><th scope="col" class="amount">Credits</th>
                  <th scope="col" class="amount">Balance</th></tr></thead><tbody>${ledger.map(
                    (e) => html`<tr><td>${f.day(e.createdAt)}</td><td>${ENTRY[e.kind] || e.kind}</td>
                      <td class="amount">${e.amount > 0 ? "+" : ""}${f.number.format(e.amount)}</td>
                      <td class="amount">${f.number.format(e.balanceAfter)}</td></tr>`,
                  )}</tbody></table>`
              : ""}
            ${packs.length
              ? html`<div class="actions">${packs.map((p) => {
                  const price = p.prices.find((x) => x.currency === currency);
                  return html`<button type="button" data-action="buy-credits" data-type="${type.id}" data-pack="${p.id}">
                    Buy ${f.number.format(p.credits)} ${type.unit.plural} for ${f.money(price.amount, currency)}</button>`;
                })}</div>`
              : ""}
          </div>`;
        };
        return html`<section class="card" aria-labelledby="credits-title" data-section="credits">
          <h2 id="credits-title">Credits</h2>
          ${shown.map(card)}
        </section>`;
      }

      /** The spend limit: what counts toward it, and a form when the seller lets customers set it. */
      spendSection() {
        const limit = this.state.spendLimit;
        const sub = this.state.subscription;
        if (!limit || !sub || sub.status === "canceled") return "";
        if (limit.monthlyLimit === null && !limit.customerMaySet) return "";
        const f = this.formats;
        const currency = limit.currency || sub.currency;
        const spent = limit.overage + limit.autoRecharge;
        const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
        const current = limit.monthlyLimit === null ? "" : this.majorUnits(limit.monthlyLimit, digits);
        return html`<section class="card" aria-labelledby="spend-title" data-section="spending">
          <h2 id="spend-title">Spending</h2>
          ${limit.monthlyLimit === null
            ? html`<p class="muted">No monthly spend limit.</p>`
            : html`<p class="${limit.reached ? "warning" : "muted"} spend-limit">Monthly spend limit:
                ${f.money(limit.monthlyLimit, currency)}, ${f.money(spent, currency)} used this month
                (overage and automatic top-ups)${limit.reached ? html`: extra usage is paused` : ""}</p>`}
          ${limit.customerMaySet
            ? html`<div class="promo">
                <label for="spend-limit">Monthly limit (${currency})</label>
                <input id="spend-limit" type="text" inputmode="decimal" autocomplete="off" value="${current}" />
                <button type="button" class="quiet" data-action="save-spend-limit">Save limit</button>
              </div>`
            : ""}
        </section>`;
      }

      /** Minor units as a plain decimal string for an input (no float). */
      majorUnits(amount, digits) {
        const units = String(amount).padStart(digits + 1, "0");
        return digits ? `${units.slice(0, -digits)}.${units.slice(-digits)}` : units;
      }

      /** A typed amount ("50", "49.5") as minor units, or null when it is not one. */
      minorUnits(text, digits) {
        const match = /^\s*(\d{1,12})(?:[.,](\d*))?\s*$/.exec(text);
        if (!match || (match[2] || "").length > digits) return null;
        return Number(match[1] + (match[2] || "").padEnd(digits, "0"));
      }

      async saveSpendLimit(button) {
        const input = this.shadowRoot.querySelector("#spend-limit");
        const currency = this.state.spendLimit.currency || this.state.subscription.currency;
        const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
        const text = input.value.trim();
        const amount = text === "" ? null : this.minorUnits(text, digits);
        if (text !== "" && amount === null) return this.toast("Enter an amount such as 50 or 49.50.");
        await this.act(
          button,
          () => this.api.request("PUT", this.api.customer("/spend-limit"), { monthlyLimit: amount }),
          amount === null ? "The spend limit is removed." : "Your spend limit is saved.",
        );
      }

      async buyCredits(button) {
        const type = this.state.creditTypes.find((t) => t.id === button.dataset.type);
        const pack = type.packs.find((p) => p.id === button.dataset.pack);
        const currency = this.payingCurrency(type);
        const price = pack.prices.find((p) => p.currency === currency);
        const f = this.formats;
        const amount = f.money(price.amount, currency);
        const credits = `${f.number.format(pack.credits)} ${type.unit.plural}`;
        const confirmed = await this.confirm({
          title: `Buy ${pack.name}?`,
          body: html`<p class="due">You pay <strong>${amount}</strong> now with your saved card,
            and <strong>${credits}</strong> are added to your balance.</p>`,
          confirmLabel: `Pay ${amount}`,
        });
        if (!confirmed) return;
        button.disabled = true;
        try {
          const purchase = await this.api.post(this.api.customer("/credit-purchases"), {
            creditTypeId: type.id,
            packId: pack.id,
            idempotencyKey: crypto.randomUUID(),
          });
          if (purchase.status === "granted") return await this.load(`${credits} were added.`);
          await this.load();
          this.toast(purchase.status === "failed"
            ? `The payment did not go through: ${purchase.failureMessage}`
            : "Your bank asks you to confirm the payment: pay the open invoice below.");
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) return this.fail(error);
          button.disabled = false;
          this.toast(error.message);
        }
      }

      paymentSection() {
        const { cards } = this.state;
        const adding = this.cardForm !== null;
        const brand = brandName;
        return html`<section class="card" aria-labelledby="payment-title" data-section="payment">
          <h2 id="payment-title">Payment method</h2>
          ${cards.length
            ? html`<ul class="cards">${cards.map(
                (c) => html`<li class="row">
                  <div><span class="feature">${brand(c)} •••• ${c.last4}</span>
                    <span class="muted">Expires ${String(c.expMonth).padStart(2, "0")}/${c.expYear}</span>
                    ${c.isDefault ? html`<span class="badge badge-current">Default</span>` : ""}</div>
                  <div class="actions">
                    ${c.isDefault ? "" : html`<button type="button" class="quiet" data-action="default-card"
                      data-card="${c.id}" aria-label="Make ${brand(c)} ending ${c.last4} the default">Make default</button>`}
                    <button type="button" class="quiet danger" data-action="remove-card" data-card="${c.id}"
                      aria-label="Remove ${brand(c)} ending ${c.last4}">Remove</button>
                  </div></li>`,
              )}</ul>`
            : html`<p class="empty">No card on file yet.</p>`}
          <div class="card-form" ${adding ? "" : html`hidden`}>
            <p id="card-label">Card details</p>
            <div class="card-slot" aria-labelledby="card-label"><slot name="card-form"></slot></div>
            <label class="check"><input type="checkbox" data-field="make-default" checked />
              Use this card for future payments</label>
            <p class="error" role="alert" data-role="card-error"></p>
            <div class="actions">
              <button type="button" data-action="save-card">Save card</button>
              <button type="button" class="quiet" data-action="cancel-card">Cancel</button>
            </div>
          </div>
          ${adding ? "" : html`<div class="actions"><button type="button" data-action="add-card">Add a card</button></div>`}
        </section>`;
      }

      invoicesSection() {
        const { invoices } = this.state;
        const f = this.formats;
        const label = { paid: "Paid", open: "Due", void: "Void", uncollectible: "Unpaid" };
        return html`<section class="card" aria-labelledby="invoices-title" data-section="invoices">
          <h2 id="invoices-title">Invoices</h2>
          ${invoices.length
            ? html`<table class="invoices">
                <thead><tr><th scope="col">Invoice</th><th scope="col">Date</th>
                  <th scope="col" class="amount">Total</th><th scope="col">Status</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
                <tbody>${invoices.map(
                  (inv) => html`<tr>
                    <td>${inv.number}</td><td>${f.day(inv.createdAt)}</td>
                    <td class="amount">${f.money(inv.total, inv.currency)}</td>
                    <td><span class="badge badge-${inv.status}">${label[inv.status] || inv.status}</span>
                      ${inv.status === "open" && inv.payment && inv.payment.failureMessage
                        ? html`<span class="error small">${inv.payment.failureMessage}</span>` : ""}</td>
                    <td class="actions">
                      ${inv.status === "open" ? html`<button type="button" data-action="pay" data-invoice="${inv.id}"
                        aria-label="Pay ${inv.number}">Pay now</button>` : ""}
                      <button type="button" class="quiet" data-action="pdf" data-invoice="${inv.id}"
                        aria-label="Download ${inv.number} (PDF)">PDF</button></td>
                  </tr>`,
                )}</tbody></table>
                ${this.state.olderInvoices
                  ? html`<div class="actions"><button type="button" class="quiet" data-action="older-invoices">
                      Show older invoices</button></div>`
                  : ""}`
            : html`<p class="empty">No invoices yet. Your first one appears here when you are billed.</p>`}
        </section>`;
      }

      // ---- events ----------------------------------------------------------------------------

      onChange(event) {
        const target = event.target;
        if (target.dataset.action === "period") {
          this.period = target.value;
          this.render();
          this.shadowRoot.querySelector(`input[name=period][value=${target.value}]`).focus();
        } else if (target.dataset.action === "addon-quantity") {
          const quantity = Number.parseInt(target.value, 10);
          this.addonDraft[target.dataset.addon] = Number.isNaN(quantity) ? 0 : quantity;
          this.render();
          this.shadowRoot.querySelector(`input[data-addon="${target.dataset.addon}"]`).focus();
        }
      }

      onClick(event) {
        const button = event.target.closest("button[data-action], a[data-action]");
        if (!button || button.disabled) return;
        const action = button.dataset.action;
        const handlers = {
          reload: () => this.load(),
          cancel: () => this.cancel(),
          resume: () => this.resume(),
          "change-plan": () => this.reviewChange({ planId: button.dataset.plan, billingPeriod: this.period }),
          "review-addons": () => this.reviewChange({ addons: this.wantedAddons() }),
          "apply-code": () => this.applyCode(),
          "add-card": () => this.openCardForm(),
          "save-card": () => this.saveCard(button),
          "cancel-card": () => this.closeCardForm(),
          "default-card": () => this.act(button, () => this.api.post(this.api.customer(
            `/payment-methods/${encodeURIComponent(button.dataset.card)}/default`)), "Your default card is updated."),
          "remove-card": () => this.removeCard(button.dataset.card),
          pdf: () => this.download(button),
          "older-invoices": () => this.olderInvoices(button),
          pay: () => this.pay(button),
          "buy-credits": () => this.buyCredits(button),
          "save-spend-limit": () => this.saveSpendLimit(button),
        };
        if (handlers[action]) handlers[action]();
      }

      wantedAddons() {
        const sub = this.state.subscription;
        const wanted = new Map(sub.addons.map((a) => [a.addonId, a.quantity]));
        for (const [id, quantity] of Object.entries(this.addonDraft)) wanted.set(id, quantity);
        return [...wanted].filter(([, q]) => q > 0).map(([addonId, quantity]) => ({ addonId, quantity }));
      }

      /** Run one call with its button busy; show `done` and reload, or the error. */
      async act(button, call, done) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        try {
          await call();
          await this.load(done);
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) return this.fail(error);
          button.disabled = false;
          button.removeAttribute("aria-busy");
          this.toast(error.message);
        }
      }

      toast(message) {
        const portal = this.shadowRoot.querySelector(".portal");
        let alert = portal.querySelector(".toast");
        if (!alert) {
          alert = document.createElement("p");
          alert.className = "toast error";
          alert.setAttribute("role", "alert");
          portal.prepend(alert);
        }
        alert.textContent = message;
      }

      /** A modal dialog; resolves true when confirmed. `body` is markup from html``. */
      confirm({ title, body, confirmLabel, danger = false, cancelLabel = "Go back" }) {
        const dialog = this.shadowRoot.querySelector("dialog");
        dialog.innerHTML = html`<form method="dialog">
          <h2 id="dialog-title">${title}</h2>
          <div class="dialog-body">${body}</div>
          <p class="error" role="alert" data-role="dialog-error"></p>
          <div class="actions">
            <button value="confirm" class="${danger ? "danger" : ""}" data-role="confirm">${confirmLabel}</button>
            <button value="cancel" class="quiet" formnovalidate>${cancelLabel}</button>
          </div></form>`.text;
        dialog.showModal();
        return new Promise((resolve) => {
          dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
        });
      }

      applyCode() {
        const code = this.shadowRoot.querySelector("#promotion-code").value.trim();
        if (!code) return this.toast("Enter a promotion code.");
        return this.reviewChange({ promotionCode: code });
      }

      async reviewChange(change) {
        const api = this.api;
        const sub = this.state.subscription;
        const f = this.formats;
        let preview;
        try {
          preview = await api.post(api.customer("/subscription/preview"), change);
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) return this.fail(error);
          return this.toast(error.message);
        }
        const plan = this.planById(change.planId || sub.planId);
        const period = change.billingPeriod || sub.billingPeriod;
        const renewal = preview.nextRenewal;
        let summary;
        if (preview.timing === "nothing") {
          return this.toast("That is already your plan.");
        } else if (change.promotionCode && !preview.lines.length && renewal) {
          summary = html`<p>Nothing to pay today. With this code you pay
            <strong>${f.money(renewal.amount, renewal.currency)}</strong> on ${f.day(renewal.date)}
            (${f.money(renewal.discount, renewal.currency)} off).</p>`;
        } else if (preview.timing === "now" && !preview.lines.length && sub.scheduledChange) {
          const scheduled = this.planById(sub.scheduledChange.planId);
          summary = html`<p>Nothing to pay today. Your change to
            <strong>${scheduled ? scheduled.name : sub.scheduledChange.planId}</strong> on
            ${f.day(sub.scheduledChange.effectiveAt)} is dropped: you keep ${sub.planName} at
            <strong>${f.money(renewal.amount, renewal.currency)}</strong> per ${PERIOD_WORD[period]}.</p>`;
        } else if (preview.timing === "period_end") {
          summary = html`<p>Nothing to pay today. On <strong>${f.day(preview.effectiveAt)}</strong> you
            move to <strong>${plan ? plan.name : change.planId}</strong>, then pay
            <strong>${f.money(renewal.amount, renewal.currency)}</strong> per ${PERIOD_WORD[period]}.</p>`;
        } else {
          summary = html`<p class="due">You pay <strong>${f.money(preview.dueNow, preview.currency)}</strong>
            today, then <strong>${f.money(renewal.amount, renewal.currency)}</strong> per
            ${PERIOD_WORD[period]} from ${f.day(renewal.date)}.</p>`;
        }
        const lines = preview.lines.length
          ? html`<table class="lines"><tbody>${preview.lines.map(
              (line) => html`<tr><td>${line.description}</td>
                <td class="amount">${f.money(line.amount, line.currency)}</td></tr>
                ${this.tierRows(line)}`,
            )}</tbody>
            <tfoot><tr><th scope="row">Due today</th>
              <td class="amount">${f.money(preview.dueNow, preview.currency)}</td></tr>
            ${preview.credit ? html`<tr><th scope="row">Credit to your balance</th>
              <td class="amount">${f.money(preview.credit, preview.currency)}</td></tr>` : ""}</tfoot></table>`
          : "";
        const warnings = html`${preview.overLimit.length
          ? html`<p class="warning">You are using more than the new plan includes:
              ${preview.overLimit.map((o) => this.state.features.get(o.featureId)?.name || o.featureId).join(", ")}.</p>`
          : ""}${preview.resetsUsage ? html`<p class="muted">Your usage counters start again.</p>` : ""}`;
        const costs = preview.timing === "now" && preview.dueNow > 0;
        const confirmed = await this.confirm({
          title: "Review your change",
          body: html`${summary}${lines}${warnings}`,
          confirmLabel: costs
            ? `Pay ${f.money(preview.dueNow, preview.currency)} and confirm`
            : change.promotionCode ? "Apply code" : "Confirm change",
        });
        if (!confirmed) return;
        try {
          await api.request("PATCH", api.customer("/subscription"), change);
          await this.load(
            preview.timing === "period_end"
              ? `Done: your plan changes on ${f.day(preview.effectiveAt)}.`
              : change.promotionCode
                ? "Done: your code is applied."
                : "Done: your subscription is updated.",
          );
        } catch (error) {
          this.fail(error);
        }
      }

      async cancel() {
        const sub = this.state.subscription;
        const f = this.formats;
        const fallback = this.planById(this.planById(sub.planId)?.fallbackPlanId || "");
        const confirmed = await this.confirm({
          title: "Cancel your subscription?",
          body: html`<p>You keep ${sub.planName} until <strong>${f.day(sub.currentPeriodEnd)}</strong> and
            will not be charged again.${fallback ? html` After that you move to the ${fallback.name} plan.` : ""}
            You can resume any time before then.</p>`,
          confirmLabel: "Cancel subscription",
          cancelLabel: "Keep my subscription",
          danger: true,
        });
        if (!confirmed) return;
        try {
          await this.api.post(this.api.customer("/subscription/cancel"), { atPeriodEnd: true });
          await this.load(`Your subscription ends on ${f.day(sub.currentPeriodEnd)}.`);
        } catch (error) {
          this.fail(error);
        }
      }

      resume() {
        const button = this.shadowRoot.querySelector("[data-action=resume]");
        return this.act(button, () => this.api.post(this.api.customer("/subscription/resume")),
          "Your subscription continues.");
      }

      async removeCard(id) {
        const card = this.state.cards.find((c) => c.id === id);
        const confirmed = await this.confirm({
          title: "Remove this card?",
          body: html`<p>${brandName(card)} •••• ${card.last4} will no longer be charged.</p>`,
          confirmLabel: "Remove card",
          danger: true,
        });
        if (!confirmed) return;
        try {
          await this.api.request("DELETE", this.api.customer(`/payment-methods/${encodeURIComponent(id)}`));
          await this.load("The card is removed.");
        } catch (error) {
          this.fail(error);
        }
      }

      async olderInvoices(button) {
        button.disabled = true;
        const cursor = encodeURIComponent(this.state.olderInvoices);
        try {
          const page = await this.api.get(
            this.api.customer(`/invoices?limit=${this.invoicePageSize}&cursor=${cursor}`),
          );
          const shown = this.state.invoices.length;
          this.state = {
            ...this.state,
            invoices: [...this.state.invoices, ...page.items],
            olderInvoices: page.items.length ? page.nextCursor : null, // a full last page still has a cursor
            notice: null,
          };
          this.render();
          const first = this.shadowRoot.querySelectorAll(".invoices tbody tr")[shown];
          if (first) first.querySelector("button").focus(); // keep the keyboard where the list grew
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) return this.fail(error);
          button.disabled = false;
          this.toast(error.message);
        }
      }

      async download(button) {
        button.disabled = true;
        try {
          const pdf = await this.api.get(
            this.api.customer(`/invoices/${encodeURIComponent(button.dataset.invoice)}/pdf`),
          );
          window.location.assign(pdf.url); // a short-lived link that downloads the file
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) return this.fail(error);
          this.toast(error.message);
        } finally {
          button.disabled = false;
        }
      }

      async pay(button) {
        button.disabled = true;
        try {
          const invoice = await this.api.post(
            this.api.customer(`/invoices/${encodeURIComponent(button.dataset.invoice)}/pay`),
          );
          const payment = invoice.payment || {};
          await this.load(invoice.status === "paid" ? `Thank you: ${invoice.number} is paid.` : null);
          if (invoice.status !== "paid") {
            this.toast(`The payment did not go through: ${payment.failureMessage || "please try another card."}`);
          }
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) return this.fail(error);
          button.disabled = false;
          this.toast(error.message);
        }
      }

      // ---- cards (Stripe.js) -----------------------------------------------------------------

      async openCardForm() {
        try {
          const [Stripe, intent] = await Promise.all([
            loadStripe(this.getAttribute("stripe-js-url")),
            this.api.post(this.api.customer("/payment-methods/setup-intent")),
          ]);
          const stripe = Stripe(intent.publishableKey);
          const card = stripe.elements().create("card");
          let slot = this.querySelector('[slot="card-form"]');
          if (!slot) {
            slot = document.createElement("div");
            slot.slot = "card-form";
            slot.className = "billfold-card-form";
            this.append(slot);
          }
          this.cardForm = { stripe, card, clientSecret: intent.clientSecret };
          this.render();
          card.mount(slot);
          const first = slot.querySelector("input, iframe");
          if (first) first.focus();
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) return this.fail(error);
          this.toast(error.message);
        }
      }

      closeCardForm() {
        if (this.cardForm) this.cardForm.card.destroy();
        this.cardForm = null;
        this.render();
      }

      async saveCard(button) {
        const { stripe, card, clientSecret } = this.cardForm;
        const error = this.shadowRoot.querySelector("[data-role=card-error]");
        const makeDefault = this.shadowRoot.querySelector("[data-field=make-default]").checked;
        button.disabled = true;
        error.textContent = "";
        let result;
        try {
          result = await stripe.confirmCardSetup(clientSecret, { payment_method: { card } });
        } catch (failure) {
          result = { error: { message: failure.message } };
        }
        if (result.error) {
          error.textContent = result.error.message || "The card could not be saved.";
          button.disabled = false;
          return;
        }
        const setupIntentId = clientSecret.split("_secret_")[0];
        try {
          await this.api.post(this.api.customer("/payment-methods"), { setupIntentId, makeDefault });
          card.destroy();
          this.cardForm = null;
          await this.load("Your card is saved.");
        } catch (failure) {
          if (failure instanceof ApiError && failure.status === 401) return this.fail(failure);
          error.textContent = failure.message;
          button.disabled = false;
        }
      }
    }

    if (!customElements.get("billfold-portal")) customElements.define("billfold-portal", BillfoldPortal);
  });
})();
