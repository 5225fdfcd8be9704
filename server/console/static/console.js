// The console's one script: the copy buttons. Everything else works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      var status = document.querySelector(".copied");
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) { status.textContent = "Copied to the clipboard."; }
      }, function () {
        field.select();
        if (status) { status.textContent = "Copying failed: the text is selected, copy it with Ctrl+C."; }
      });
    });
  });
});
