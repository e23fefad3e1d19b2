// Portal behaviours. Loaded with a CSP nonce; no inline script anywhere.
(function () {
  "use strict";
  // HTMX: send the CSRF token with every request.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var cookie = document.cookie.split("; ").find(function (row) { return row.startsWith("csrftoken="); });
    var value = token ? token.value : (cookie ? cookie.split("=")[1] : null);
    if (value) {
      event.detail.headers["X-CSRFToken"] = value;
    }
  });

  // HTMX 2 swaps only 2xx answers by default: a form returned with its errors (400, 422), a refusal (403) or an
  // edit conflict (409) would be dropped silently. They are swapped in place like a success. A 401 carries
  // HX-Redirect to the sign-in page (session expired), which htmx follows before this table is read.
  if (window.htmx) {
    window.htmx.config.responseHandling = [
      {code: "204", swap: false},
      {code: "[23]..", swap: true},
      {code: "^(400|403|409|422)$", swap: true, error: false},
      {code: "^401$", swap: false, error: false},
      {code: "[45]..", swap: false, error: true},
      {code: "...", swap: false}
    ];
  }

  // One live region (templates/base.html) announces what an in-place request answered.
  var region = document.getElementById("srefop-annonces");
  function announce(text, visible) {
    if (!region) { return; }
    region.textContent = "";
    var holder;
    if (visible) {
      holder = document.createElement("div");
      holder.className = "fr-alert fr-alert--error fr-alert--sm fr-mb-2w";
      var paragraph = document.createElement("p");
      paragraph.textContent = text;
      holder.appendChild(paragraph);
    } else {
      holder = document.createElement("p");
      holder.className = "fr-sr-only";
      holder.textContent = text;
    }
    // Filled a moment after being emptied, so that the same message twice is announced twice.
    window.setTimeout(function () { region.appendChild(holder); }, 50);
  }
  document.body.addEventListener("htmx:beforeRequest", function () {
    if (region) { region.textContent = ""; }
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400) { return; }
    var target = event.detail.target;
    if (target && !target.isConnected && target.id) { target = document.getElementById(target.id); }
    if (!target || !target.isConnected) { target = document.getElementById("contenu"); }
    var errors = Array.prototype.map.call(
      target.querySelectorAll(".fr-error-text, .fr-alert--error p, .fr-message--error"),
      function (element) { return element.textContent.trim(); }
    ).filter(function (text) { return text; });
    announce(errors.length ? errors.join(" ") : "La demande n’a pas été acceptée.", false);
    // Keyboard users go on from the first field in error (or the message).
    var field = target.querySelector("[aria-invalid=true], .fr-input-group--error input, .fr-select-group--error select");
    var focusable = field || target.querySelector(".fr-alert--error");
    if (focusable) {
      if (!field) { focusable.setAttribute("tabindex", "-1"); }
      focusable.focus();
    }
  });
  // Answers that are not swapped (page gone, server error) or no answer at all: said where the person can see it.
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    announce("L’enregistrement n’a pas abouti (erreur " + status + "). Rechargez la page et réessayez.", true);
  });
  document.body.addEventListener("htmx:sendError", function () {
    announce("Le portail ne répond pas : vérifiez votre connexion, puis réessayez.", true);
  });

  // Auto-submit selects marked data-autosubmit (filters), keeping pages usable without JS.
  document.querySelectorAll("[data-autosubmit]").forEach(function (element) {
    element.addEventListener("change", function () { element.form.submit(); });
  });
})();
