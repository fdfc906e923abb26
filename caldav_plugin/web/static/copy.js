// Copy buttons for the subscription links: the links are plain read-only fields without JavaScript.
(function () {
  "use strict";
  var announce = document.getElementById("announce");

  function copied(button) {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-done");
    if (announce) { announce.textContent = button.getAttribute("data-done"); }
    window.setTimeout(function () { button.textContent = label; }, 1600);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { copied(button); }, fallback);
      } else {
        fallback();
      }
      function fallback() {
        field.focus();
        field.select();
        if (document.execCommand("copy")) { copied(button); }
      }
    });
  });

  // A read-only link field selects itself on focus, ready for Ctrl+C.
  document.querySelectorAll(".copy input[readonly]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
