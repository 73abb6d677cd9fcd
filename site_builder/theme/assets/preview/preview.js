// The PDF preview of `briefs serve`: a button shows the brief's PDF beside the page.
// The choice is remembered, so the live reload after a save shows the new PDF at once.
(function () {
  "use strict";
  var KEY = "briefs-pdf-preview";
  var button = document.querySelector(".page-meter-toggle");
  var panel = document.getElementById("pdf-preview");
  if (!button || !panel) { return; }
  var frame = panel.querySelector("iframe");

  function show(open) {
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? button.dataset.hide : button.dataset.show;
    document.body.classList.toggle("pdf-preview-open", open);
    if (open && frame.getAttribute("src") !== frame.dataset.src) {
      frame.setAttribute("src", frame.dataset.src);
    }
    try { window.localStorage.setItem(KEY, open ? "open" : "closed"); } catch (e) { /* private mode */ }
  }

  button.addEventListener("click", function () { show(panel.hidden); });
  var stored = null;
  try { stored = window.localStorage.getItem(KEY); } catch (e) { /* private mode */ }
  if (stored === "open") { show(true); }
}());
