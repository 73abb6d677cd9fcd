// The live reload of `briefs serve` (inlined into every page it serves, in place of MkDocs').
// It asks the server, as MkDocs' script does, for the site's version ("epoch"), the
// request held until a rebuild ends. When the site changed, a page that shows the
// preview's meter (preview.js defines window.briefsPreview) fetches itself again and
// swaps the new article in, the PDF preview kept open: no reload, no assets fetched again,
// the scroll position kept. The page reloads instead when anything outside its article
// changed (data-shell, a hash of the page without its article, is the server's), when
// the swap is not safe, or on any other page.
(function () {
  "use strict";
  var me = document.currentScript;
  var epoch = Number(me.dataset.epoch);
  var shell = me.dataset.shell;
  var requestId = me.dataset.request;
  var req, timeout;

  function reload() { stop(); window.location.reload(); }

  function update() {
    var preview = window.briefsPreview;
    if (!preview || !window.fetch || !window.DOMParser) { reload(); return; }
    window.fetch(window.location.href.split("#")[0], { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (text) {
        var doc = new window.DOMParser().parseFromString(text, "text/html");
        var script = doc.querySelector("script[data-briefs-livereload]");
        if (!script || script.dataset.shell !== shell || !preview.swap(doc)) { reload(); return; }
        epoch = Number(script.dataset.epoch);
        poll();
      })
      .catch(reload);
  }

  function poll() {
    stop();
    req = new XMLHttpRequest();
    req.onloadend = function () {
      if (parseFloat(this.responseText) > epoch) {
        update();
      } else {
        timeout = setTimeout(poll, this.status === 200 ? 0 : 3000);
      }
    };
    req.open("GET", "/livereload/" + epoch + "/" + requestId);
    req.send();
  }

  function stop() {
    if (req) { req.onloadend = null; req.abort(); }
    if (timeout) { clearTimeout(timeout); }
    req = timeout = undefined;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { poll(); } else { stop(); }
  });
  window.addEventListener("beforeunload", stop);
  if (document.visibilityState === "visible") { poll(); }
}());
