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
  // Auto-submit selects marked data-autosubmit (filters), keeping pages usable without JS.
  document.querySelectorAll("[data-autosubmit]").forEach(function (element) {
    element.addEventListener("change", function () { element.form.submit(); });
  });
})();
