/*
 * The sign-up funnel as web components, after billfold-core.js:
 *
 *   <script src="https://<portal host>/billfold-core.js" defer></script>
 *   <script src="https://<portal host>/billfold-widgets.js" defer></script>
 *
 * <billfold-pricing-table api-url publishable-key [currency] [billing-period] [locale]
 *                         [checkout-endpoint]>
 *   The public plans (monthly/annual toggle, currency by attribute or locale), what each grants
 *   ("Everything in Starter, plus…"), trials and add-ons. Choosing a plan fires
 *   `billfold:select` {planId, billingPeriod, currency}; with `checkout-endpoint` (your
 *   backend: it opens a checkout session with your server key and answers {url}) the visitor
 *   goes on to checkout.
 *
 * <billfold-checkout api-url token stripe-js-url [locale] [return-url]>
 *   A checkout session (token from POST /v1/checkout-sessions): what is due today, the trial,
 *   a promotion code when the session allows one, the card (Stripe.js, 3-D Secure included).
 *   Completing fires `billfold:complete` {subscription, portalUrl} and then opens the portal,
 *   unless a listener calls preventDefault().
 *
 * <billfold-paywall api-url publishable-key feature [token] [current-plan] [currency]
 *                   [billing-period] [locale] [checkout-endpoint]>
 *   What would grant a feature a check denied: the plans and add-ons, with the price of each
 *   step up. With a portal `token` it previews the upgrade and applies it on confirmation;
 *   without, a choice goes to checkout like the pricing table's.
 *
 * Plain custom elements with shadow roots: themed with the portal's CSS variables
 * (billfold-portal.css), no inline script or style (strict CSP), money exact in the locale.
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
    const { Api, ApiError, Formats, html, loadStripe, stylesheetOf, tokenClaims, PERIOD_WORD } =
      window.billfold;
    const STYLESHEETS = ["billfold-portal.css", "billfold-widgets.css"].map((name) => stylesheetOf(SCRIPT, name));

    const REGION_CURRENCY = {
      US: "USD", GB: "GBP", CA: "CAD", AU: "AUD", NZ: "NZD", JP: "JPY", CH: "CHF", SE: "SEK",
      NO: "NOK", DK: "DKK", PL: "PLN", IN: "INR", BR: "BRL", MX: "MXN", SG: "SGD", HK: "HKD",
    };
    const EURO_REGIONS = "AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK".split(" ");
    const RESET_WORD = { daily: "day", weekly: "week", monthly: "month", yearly: "year" };

    /** The currency a locale's region pays in, when the catalog sells in it. */
    const currencyFor = (locale, offered) => {
      const region = (new Intl.Locale(locale).maximize().region || "").toUpperCase();
      const wanted = EURO_REGIONS.includes(region) ? "EUR" : REGION_CURRENCY[region];
      return offered.includes(wanted) ? wanted : offered[0];
    };

    const unitWord = (feature, n) =>
      feature && feature.unit ? (n === 1 ? feature.unit.singular : feature.unit.plural) : "";

    /** One entitlement as a visitor reads it: "10,000 API calls / month", "Unlimited seats". */
    const grantText = (entitlement, feature, f) => {
      const name = feature ? feature.name : entitlement.featureId;
      if (!feature || feature.type === "boolean") return name;
      if (feature.type === "numeric") {
        return entitlement.unlimited ? `${name}: unlimited` : `${name}: ${f.number.format(entitlement.value)}`;
      }
      if (entitlement.unlimited) return `Unlimited ${unitWord(feature, 2) || name}`;
      const per = RESET_WORD[entitlement.resetPeriod] ? ` / ${RESET_WORD[entitlement.resetPeriod]}` : "";
      const amount = `${f.number.format(entitlement.limit)} ${unitWord(feature, entitlement.limit) || name}`;
      return `${amount}${per}${entitlement.enforcement === "soft" ? " (then pay as you go)" : ""}`;
    };

    /** How much of a feature an entitlement grants, for comparing plans (Infinity: unlimited). */
    const grantSize = (entitlement) => {
      if (!entitlement) return 0;
      if (entitlement.unlimited) return Infinity;
      return entitlement.limit ?? entitlement.value ?? 1;
    };

    const priceOf = (item, period, currency) =>
      item.prices.find((p) => p.billingPeriod === period && p.currency === currency) || null;

    /** A price as a visitor reads it: "$29.00 / month", "Free", tiers from their first unit. */
    const priceText = (price, f, free = "Free") => {
      if (!price) return free;
      const per = `/ ${PERIOD_WORD[price.billingPeriod]}`;
      if (price.tiers && price.tiers.length) {
        const first = price.tiers[0];
        return `from ${f.money(first.unitAmount || first.flatAmount || 0, price.currency)} ${per}`;
      }
      const amount = price.amount ?? price.unitAmount ?? 0;
      return amount ? `${f.money(amount, price.currency)} ${per}` : free;
    };

    /** Open a checkout through the seller's backend: it answers the session's {url}. */
    const goToCheckout = async (endpoint, choice) => {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(choice),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok || !body.url) {
        throw new Error((body.error && body.error.message) || "Checkout could not be opened. Try again.");
      }
      window.location.assign(body.url);
    };

    /** What the three components share: a shadow root with the stylesheets, a locale, a status,
     * and one load however many attributes are set at once (an upgrade sets each of them). */
    class Widget extends HTMLElement {
      constructor() {
        super();
        this.attachShadow({ mode: "open" });
        this.loads = 0;
        this.scheduled = false;
      }

      connectedCallback() {
        this.restart();
      }

      attributeChangedCallback() {
        if (this.isConnected) this.restart();
      }

      /** Start once for every attribute set in the same task; a later start outdates a load. */
      restart() {
        if (this.scheduled) return;
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.loads += 1;
          this.start(this.loads);
        });
      }

      /** Whether a load begun as `load` has been outdated by a later one. */
      stale(load) {
        return load !== this.loads;
      }

      get locale() {
        return this.getAttribute("locale") || navigator.language || "en-US";
      }

      get formats() {
        return new Formats(this.locale);
      }

      paint(body) {
        const links = STYLESHEETS.map((href) => html`<link rel="stylesheet" href="${href}">`);
        this.shadowRoot.innerHTML = `${html`${links}${body}`}`;
      }

      status(message, role = "status") {
        this.paint(html`<p class="status" role="${role}">${message}</p>`);
      }

      /** A visitor's choice of a plan: `billfold:select`, then (unless a listener prevents
       * it) checkout through the seller's `checkout-endpoint`, if there is one. */
      async select(button, planId) {
        const choice = { planId, billingPeriod: this.period, currency: this.currency };
        const endpoint = this.getAttribute("checkout-endpoint");
        if (!this.fire("billfold:select", choice) || !endpoint) return;
        button.disabled = true;
        try {
          await goToCheckout(endpoint, choice);
        } catch (error) {
          this.shadowRoot.querySelector("[data-role=error]").textContent = error.message;
          button.disabled = false;
        }
      }

      fire(name, detail) {
        return this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: true }));
      }
    }

    // ---- <billfold-pricing-table> ------------------------------------------------------------

    class PricingTable extends Widget {
      static get observedAttributes() {
        return ["api-url", "publishable-key", "currency", "billing-period", "locale"];
      }

      async start(load) {
        const apiUrl = this.getAttribute("api-url");
        const key = this.getAttribute("publishable-key");
        if (!apiUrl || !key) return;
        this.status("Loading plans…");
        let pricing;
        try {
          pricing = await new Api(apiUrl, key).get("/v1/pricing");
        } catch (error) {
          if (!this.stale(load)) this.status(error.message, "alert");
          return;
        }
        if (this.stale(load)) return;
        this.pricing = pricing;
        this.currency = this.getAttribute("currency") || currencyFor(this.locale, this.pricing.currencies);
        this.period = this.getAttribute("billing-period") || "monthly";
        this.render();
      }

      get periods() {
        const offered = new Set(this.pricing.plans.flatMap((p) => p.prices.map((price) => price.billingPeriod)));
        return ["monthly", "annual"].filter((period) => offered.has(period));
      }

      render() {
        const f = this.formats;
        const features = Object.fromEntries(this.pricing.features.map((feature) => [feature.id, feature]));
        const names = Object.fromEntries(this.pricing.plans.map((plan) => [plan.id, plan.name]));
        const plans = this.pricing.plans.filter(
          (plan) => !plan.prices.length || priceOf(plan, this.period, this.currency),
        );
        const toggle = this.periods.length > 1
          ? html`<fieldset class="toggle" data-role="period"><legend class="visually-hidden">Billing period</legend>
              ${this.periods.map((period) => html`<label><input type="radio" name="period" value="${period}"
                ${period === this.period ? html`checked` : ""}>${period === "annual" ? "Annual" : "Monthly"}</label>`)}
            </fieldset>`
          : "";
        const currencies = this.pricing.currencies.length > 1
          ? html`<label class="currency">Currency <select data-role="currency">${this.pricing.currencies.map(
              (c) => html`<option value="${c}" ${c === this.currency ? html`selected` : ""}>${c}</option>`,
            )}</select></label>`
          : "";
        const cards = plans.map((plan) => {
          const price = priceOf(plan, this.period, this.currency);
          const grants = plan.addedEntitlements.map((e) => html`<li>${grantText(e, features[e.featureId], f)}</li>`);
          const lead = plan.includesPlanId
            ? html`<p class="includes">Everything in ${names[plan.includesPlanId]}, plus:</p>`
            : "";
          const trial = plan.trialDays ? html`<p class="trial">${plan.trialDays}-day free trial</p>` : "";
          return html`<li class="plan" data-plan="${plan.id}">
            <h2>${plan.name}</h2>
            ${plan.description ? html`<p class="muted">${plan.description}</p>` : ""}
            <p class="plan-price">${priceText(price, f)}</p>
            ${trial}${lead}<ul class="included">${grants}</ul>
            <button type="button" data-action="choose" data-plan="${plan.id}">${plan.trialDays ? "Start free trial" : `Choose ${plan.name}`}</button>
          </li>`;
        });
        const addons = this.pricing.addons
          .map((addon) => ({ addon, price: priceOf(addon, this.period, this.currency) }))
          .filter(({ price }) => price)
          .map(({ addon, price }) => html`<li data-addon="${addon.id}"><span class="feature">${addon.name}</span>
              <span class="muted">${priceText(price, f)}${addon.maxQuantity > 1 ? " each" : ""}${
                addon.planIds.length ? ` · with ${addon.planIds.map((id) => names[id]).join(", ")}` : ""
              }</span></li>`);
        this.paint(html`<section class="pricing" aria-label="Plans and pricing">
          <div class="row controls">${toggle}${currencies}</div>
          <ul class="plans">${cards}</ul>
          ${addons.length ? html`<h2>Add-ons</h2><ul class="addon-list">${addons}</ul>` : ""}
          <p class="error" role="alert" data-role="error"></p>
        </section>`);
        this.shadowRoot.querySelectorAll("input[name=period]").forEach((input) =>
          input.addEventListener("change", () => {
            this.period = input.value;
            this.render();
            this.shadowRoot.querySelector(`input[value=${input.value}]`).focus();
          }),
        );
        const select = this.shadowRoot.querySelector("[data-role=currency]");
        if (select) {
          select.addEventListener("change", () => {
            this.currency = select.value;
            this.render();
            this.shadowRoot.querySelector("[data-role=currency]").focus();
          });
        }
        this.shadowRoot.querySelectorAll("[data-action=choose]").forEach((button) =>
          button.addEventListener("click", () => this.select(button, button.dataset.plan)),
        );
      }

    }

    // ---- <billfold-checkout> ----------------------------------------------------------------

    class Checkout extends Widget {
      static get observedAttributes() {
        return ["api-url", "token", "locale"];
      }

      async start(load) {
        const apiUrl = this.getAttribute("api-url");
        const token = this.getAttribute("token");
        if (!apiUrl || !token) return;
        this.api = new Api(apiUrl, token);
        this.path = `/v1/checkout-sessions/${encodeURIComponent(tokenClaims(token, "bf_ct_").sid || "")}`;
        this.code = null;
        this.status("Loading your order…");
        let view;
        try {
          view = await this.api.get(this.path);
        } catch (error) {
          if (!this.stale(load)) this.failed(error);
          return;
        }
        if (this.stale(load)) return;
        this.view = view;
        if (this.view.session.status === "complete") {
          this.status("This checkout is already complete.");
          return;
        }
        this.render();
      }

      failed(error) {
        const back = this.getAttribute("return-url");
        const message = error instanceof ApiError && error.code === "checkout_session_expired"
          ? "This checkout has expired. Go back and start again."
          : error instanceof ApiError && error.status === 401
            ? "This checkout link is not valid. Go back and start again."
            : error.message;
        this.paint(html`<section class="panel" role="alert"><p class="error">${message}</p>
          ${back ? html`<a class="button" href="${back}">Back</a>` : ""}</section>`);
      }

      get needsCard() {
        return this.view.quote.needsPaymentMethod;
      }

      render() {
        const f = this.formats;
        const { session, quote, planName } = this.view;
        const money = (amount) => f.money(amount, quote.currency);
        const rows = quote.lines.map((line) => html`<tr><td>${line.description}</td><td class="amount">${money(line.amount)}</td></tr>`);
        const discount = quote.discount
          ? html`<tr data-role="discount"><td>${quote.couponName || "Discount"} (${quote.promotionCode})</td><td class="amount">−${money(quote.discount)}</td></tr>`
          : "";
        const trial = quote.trialEnd
          ? html`<p class="trial" data-role="trial">${quote.trialDays}-day free trial: nothing to pay today.
              From ${f.day(quote.firstChargeAt)} you pay ${money(quote.total)} / ${PERIOD_WORD[quote.billingPeriod]}.</p>`
          : "";
        const promo = session.allowPromotionCodes
          ? html`<div class="promo"><label for="code">Promotion code</label>
              <input id="code" data-field="code" autocomplete="off" value="${this.code || ""}">
              <button type="button" class="quiet" data-action="apply">Apply</button>
              <span class="error" role="alert" data-role="code-error"></span></div>`
          : "";
        const card = this.needsCard
          ? html`<div class="card-form"><label>Card</label><div class="card-slot"><slot name="card-form"></slot></div></div>`
          : "";
        this.paint(html`<section class="panel checkout" aria-label="Checkout">
          <h2>${planName}</h2>
          <p class="muted">Billed ${session.billingPeriod === "annual" ? "yearly" : "monthly"} in ${quote.currency}</p>
          <table class="lines"><tbody>${rows}${discount}</tbody>
            <tfoot><tr><th scope="row">Due today</th><td class="amount" data-role="due">${money(quote.dueToday)}</td></tr></tfoot></table>
          ${trial}${promo}${card}
          <p class="error" role="alert" data-role="error"></p>
          <div class="actions"><button type="button" data-action="pay">${
            quote.trialEnd ? "Start free trial" : `Pay ${money(quote.dueToday)} and subscribe`
          }</button></div>
        </section>`);
        const apply = this.shadowRoot.querySelector("[data-action=apply]");
        if (apply) apply.addEventListener("click", () => this.applyCode());
        this.shadowRoot.querySelector("[data-action=pay]").addEventListener("click", (event) => this.pay(event.target));
        if (this.needsCard) this.mountCard();
      }

      async applyCode() {
        const input = this.shadowRoot.querySelector("[data-field=code]");
        const code = input.value.trim().toUpperCase();
        try {
          const view = await this.api.get(`${this.path}?promotionCode=${encodeURIComponent(code)}`);
          this.code = code;
          this.view = view;
          this.render();
        } catch (error) {
          this.shadowRoot.querySelector("[data-role=code-error]").textContent = error.message;
        }
      }

      /** The card form, mounted once (a re-render while it loads reuses the same load). */
      mountCard() {
        this.mounting ||= this.loadCard().finally(() => { this.mounting = null; });
        return this.mounting;
      }

      async loadCard() {
        if (this.card) return;
        try {
          const Stripe = await loadStripe(this.getAttribute("stripe-js-url"));
          const intent = await this.api.post(`${this.path}/setup-intent`);
          const stripe = Stripe(intent.publishableKey);
          const card = stripe.elements().create("card");
          let slot = this.querySelector('[slot="card-form"]');
          if (!slot) {
            slot = document.createElement("div");
            slot.slot = "card-form";
            slot.className = "billfold-card-form";
            this.append(slot);
          }
          card.mount(slot);
          this.card = { stripe, card, clientSecret: intent.clientSecret, confirmed: false };
        } catch (error) {
          if (error instanceof ApiError && [401, 410].includes(error.status)) return this.failed(error);
          this.shadowRoot.querySelector("[data-role=error]").textContent = error.message;
        }
      }

      async pay(button) {
        if (this.paying) return; // a double click starts one payment
        this.paying = true;
        button.disabled = true;
        const error = this.shadowRoot.querySelector("[data-role=error]");
        error.textContent = "";
        try {
          const body = { expectedDueToday: this.view.quote.dueToday };
          if (this.code) body.promotionCode = this.code;
          if (this.needsCard) {
            if (!this.card) throw new Error("The card form is still loading.");
            const { stripe, card, clientSecret } = this.card;
            if (!this.card.confirmed) { // a retry after an API error reuses the confirmed card
              const result = await stripe.confirmCardSetup(clientSecret, { payment_method: { card } });
              if (result.error) throw new Error(result.error.message || "Your card was declined.");
              this.card.confirmed = true;
            }
            body.setupIntentId = clientSecret.split("_secret_")[0];
          }
          const done = await this.api.post(`${this.path}/complete`, body);
          this.paint(html`<section class="panel" role="status"><p class="notice">You are subscribed to
            ${this.view.planName}.</p>${done.portalUrl ? html`<a class="button" href="${done.portalUrl}">Manage your subscription</a>` : ""}</section>`);
          if (this.fire("billfold:complete", done) && done.portalUrl) window.location.assign(done.portalUrl);
        } catch (failure) {
          this.paying = false;
          if (failure instanceof ApiError && [401, 410].includes(failure.status)) return this.failed(failure);
          if (failure instanceof ApiError && failure.code === "quote_changed") {
            this.view = await this.api.get(this.code ? `${this.path}?promotionCode=${encodeURIComponent(this.code)}` : this.path);
            this.render();
            this.shadowRoot.querySelector("[data-role=error]").textContent = "The price changed: check it and pay again.";
            return;
          }
          error.textContent = failure.message;
          button.disabled = false;
          const declined = !(failure instanceof ApiError) || failure.code === "card_declined";
          if (this.card && declined) {
            this.card.card.destroy(); // a declined card's SetupIntent is spent: a fresh one
            this.card = null;
            this.mountCard();
          }
        }
      }
    }

    // ---- <billfold-paywall> -----------------------------------------------------------------

    class Paywall extends Widget {
      static get observedAttributes() {
        return ["api-url", "publishable-key", "feature", "token", "current-plan", "currency", "billing-period", "locale"];
      }

      async start(load) {
        const apiUrl = this.getAttribute("api-url");
        const key = this.getAttribute("publishable-key");
        this.feature = this.getAttribute("feature");
        if (!apiUrl || !key || !this.feature) return;
        const token = this.getAttribute("token");
        this.customer = token ? new Api(apiUrl, token) : null;
        this.customerPath = token ? `/v1/customers/${encodeURIComponent(tokenClaims(token, "bf_pt_").sub || "")}` : null;
        this.status("Loading…");
        try {
          const [pricing, subscription] = await Promise.all([
            new Api(apiUrl, key).get("/v1/pricing"),
            this.customer ? this.customer.get(`${this.customerPath}/subscription`) : null,
          ]);
          if (this.stale(load)) return;
          this.pricing = pricing;
          this.subscription = subscription;
        } catch (error) {
          if (!this.stale(load)) this.status(error.message, "alert");
          return;
        }
        const sub = this.subscription;
        this.currentPlan = sub ? sub.planId : this.getAttribute("current-plan");
        this.currency = sub ? sub.currency : this.getAttribute("currency") || currencyFor(this.locale, this.pricing.currencies);
        this.period = sub ? sub.billingPeriod : this.getAttribute("billing-period") || "monthly";
        this.render();
      }

      /** The public plans that grant more of the feature than the current plan, cheapest first. */
      get stepsUp() {
        const grant = (plan) => grantSize(plan && plan.entitlements.find((e) => e.featureId === this.feature));
        const current = this.pricing.plans.find((p) => p.id === this.currentPlan);
        const amount = (plan) => (priceOf(plan, this.period, this.currency) || { amount: 0 }).amount;
        return this.pricing.plans
          .filter((plan) => plan.id !== this.currentPlan && grant(plan) > grant(current))
          .filter((plan) => !plan.prices.length || priceOf(plan, this.period, this.currency))
          .sort((a, b) => amount(a) - amount(b));
      }

      get addons() {
        return this.pricing.addons.filter(
          (addon) => addon.entitlements.some((e) => e.featureId === this.feature)
            && (!this.currentPlan || !addon.planIds.length || addon.planIds.includes(this.currentPlan))
            && priceOf(addon, this.period, this.currency),
        );
      }

      render() {
        const f = this.formats;
        const feature = this.pricing.features.find((x) => x.id === this.feature);
        const current = this.pricing.plans.find((p) => p.id === this.currentPlan);
        const currentAmount = current ? (priceOf(current, this.period, this.currency) || { amount: 0 }).amount : 0;
        const plans = this.stepsUp.map((plan) => {
          const price = priceOf(plan, this.period, this.currency);
          const entitlement = plan.entitlements.find((e) => e.featureId === this.feature);
          const step = price && current ? price.amount - currentAmount : null;
          return html`<li class="plan" data-plan="${plan.id}"><h3>${plan.name}</h3>
            <p>${grantText(entitlement, feature, f)}</p>
            <p class="plan-price">${priceText(price, f)}</p>
            ${step !== null && step > 0 ? html`<p class="muted" data-role="step">${f.money(step, this.currency)} / ${PERIOD_WORD[this.period]} more than ${current.name}</p>` : ""}
            <button type="button" data-action="plan" data-plan="${plan.id}">${this.customer ? `Upgrade to ${plan.name}` : `Choose ${plan.name}`}</button>
          </li>`;
        });
        const addons = this.addons.map((addon) => {
          const entitlement = addon.entitlements.find((e) => e.featureId === this.feature);
          return html`<li data-addon="${addon.id}"><span class="feature">${addon.name}</span>
            <span class="muted">${grantText(entitlement, feature, f)} · ${priceText(priceOf(addon, this.period, this.currency), f)}</span>
            ${this.customer ? html`<button type="button" class="quiet" data-action="addon" data-addon="${addon.id}">Add ${addon.name}</button>` : ""}</li>`;
        });
        const none = !plans.length && !addons.length;
        this.paint(html`<section class="panel paywall" aria-labelledby="paywall-title">
          <h2 id="paywall-title">${feature ? feature.name : this.feature} needs an upgrade</h2>
          ${none ? html`<p class="empty">No public plan grants more of this feature. Contact us.</p>` : ""}
          ${plans.length ? html`<ul class="plans">${plans}</ul>` : ""}
          ${addons.length ? html`<h3>Or add</h3><ul class="addon-list">${addons}</ul>` : ""}
          <div data-role="preview" aria-live="polite"></div>
          <p class="error" role="alert" data-role="error"></p>
        </section>`);
        this.shadowRoot.querySelectorAll("[data-action=plan]").forEach((button) =>
          button.addEventListener("click", () => this.choosePlan(button)),
        );
        this.shadowRoot.querySelectorAll("[data-action=addon]").forEach((button) =>
          button.addEventListener("click", () => this.preview({ addons: this.withAddon(button.dataset.addon) }, button.closest("li").querySelector(".feature").textContent)),
        );
      }

      withAddon(addonId) {
        const held = (this.subscription.addons || []).map((a) => ({ addonId: a.addonId, quantity: a.quantity }));
        const existing = held.find((a) => a.addonId === addonId);
        if (existing) existing.quantity += 1;
        else held.push({ addonId, quantity: 1 });
        return held;
      }

      choosePlan(button) {
        const planId = button.dataset.plan;
        if (this.customer) return this.preview({ planId }, this.pricing.plans.find((p) => p.id === planId).name);
        return this.select(button, planId);
      }

      /** The upgrade preview: what it costs today, then the change on confirmation. */
      async preview(change, name) {
        const f = this.formats;
        const box = this.shadowRoot.querySelector("[data-role=preview]");
        const error = this.shadowRoot.querySelector("[data-role=error]");
        error.textContent = "";
        let preview;
        try {
          preview = await this.customer.post(`${this.customerPath}/subscription/preview`, change);
        } catch (failure) {
          error.textContent = failure.message;
          return;
        }
        const today = preview.timing === "period_end"
          ? html`Nothing to pay today: it starts on ${f.day(preview.effectiveAt)}.`
          : html`You pay <strong>${f.money(preview.dueNow, preview.currency)}</strong> today.`;
        box.innerHTML = `${html`<div class="info" data-role="preview-text"><p>${name}: ${today}</p>
          <div class="actions"><button type="button" data-action="confirm">Confirm</button>
          <button type="button" class="quiet" data-action="cancel">Not now</button></div></div>`}`;
        box.querySelector("[data-action=cancel]").addEventListener("click", () => { box.innerHTML = ""; });
        const confirm = box.querySelector("[data-action=confirm]");
        confirm.focus();
        confirm.addEventListener("click", async () => {
          confirm.disabled = true;
          try {
            const result = await this.customer.request("PATCH", `${this.customerPath}/subscription`, change);
            this.fire("billfold:upgrade", result);
            box.innerHTML = `${html`<p class="notice" role="status">Done: ${name} is yours.</p>`}`;
          } catch (failure) {
            error.textContent = failure.message;
            confirm.disabled = false;
          }
        });
      }
    }

    const define = (name, element) => customElements.get(name) || customElements.define(name, element);
    define("billfold-pricing-table", PricingTable);
    define("billfold-checkout", Checkout);
    define("billfold-paywall", Paywall);
  });
})();
