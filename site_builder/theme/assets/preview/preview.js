// The PDF preview of `briefs serve`: a button shows the brief's PDF beside the page.
// The choice is remembered, so the page shows the PDF again after a reload.
//
// window.briefsPreview.swap(doc) brings a newer build of this page (``doc``, parsed by
// livereload.js) into the page without reloading it: the article's nodes that changed
// are replaced, the others (and the PDF preview's frame, which a move or a reload would
// restart) are kept; the frame loads the new PDF only when its version changed. It
// returns false, having changed nothing, when the swap is not safe: no article or
// meter in either, a different meter structure, or new nodes that need a script (a
// script of their own, a component of the theme's). The caller reloads the page then.
(function () {
  "use strict";
  var KEY = "briefs-pdf-preview";
  var ARTICLE = "article.md-content__inner";
  var FRAME = "iframe.pdf-preview-frame";

  function storedOpen() {
    try { return window.localStorage.getItem(KEY) === "open"; } catch (e) { return false; }
  }

  function show(open) {
    var button = document.querySelector(".page-meter-toggle");
    var panel = document.getElementById("pdf-preview");
    if (!button || !panel) { return; }
    var frame = panel.querySelector("iframe");
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? button.dataset.hide : button.dataset.show;
    document.body.classList.toggle("pdf-preview-open", open);
    if (open && frame && frame.getAttribute("src") !== frame.dataset.src) {
      frame.setAttribute("src", frame.dataset.src);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".page-meter-toggle");
    var panel = document.getElementById("pdf-preview");
    if (!button || !panel) { return; }
    var open = panel.hidden;
    show(open);
    try { window.localStorage.setItem(KEY, open ? "open" : "closed"); } catch (e) { /* private mode */ }
  });

  // -- the swap --------------------------------------------------------------------------

  function sameShallow(a, b) {
    if (a.nodeType !== b.nodeType || a.nodeName !== b.nodeName) { return false; }
    if (a.nodeType !== 1) { return a.nodeValue === b.nodeValue; }
    if (a.attributes.length !== b.attributes.length) { return false; }
    for (var i = 0; i < a.attributes.length; i++) {
      if (b.getAttribute(a.attributes[i].name) !== a.attributes[i].value) { return false; }
    }
    return true;
  }

  function needsScript(nodes) {
    return nodes.some(function (node) {
      return node.nodeType === 1 && (node.matches("script, [data-md-component]")
        || node.querySelector("script, [data-md-component]") !== null);
    });
  }

  function copyAttributes(from, to, except) {
    Array.prototype.slice.call(to.attributes).forEach(function (attr) {
      if (attr.name !== except && !from.hasAttribute(attr.name)) { to.removeAttribute(attr.name); }
    });
    Array.prototype.slice.call(from.attributes).forEach(function (attr) {
      if (attr.name !== except && to.getAttribute(attr.name) !== attr.value) {
        to.setAttribute(attr.name, attr.value);
      }
    });
  }

  // Plan the replacement of the old nodes by the new ones (siblings in ``parent``, the
  // old ones before ``anchor``): the equal nodes at either end stay; a single changed
  // element of the same tag and attributes on both sides is compared inside.
  function planSegment(parent, olds, news, anchor, ops) {
    var p = 0, s = 0;
    while (p < olds.length && p < news.length && olds[p].isEqualNode(news[p])) { p++; }
    while (s < olds.length - p && s < news.length - p
           && olds[olds.length - 1 - s].isEqualNode(news[news.length - 1 - s])) { s++; }
    var oldMid = olds.slice(p, olds.length - s), newMid = news.slice(p, news.length - s);
    if (!oldMid.length && !newMid.length) { return true; }
    if (oldMid.length === 1 && newMid.length === 1 && oldMid[0].nodeType === 1
        && sameShallow(oldMid[0], newMid[0])) {
      return planSegment(oldMid[0], Array.prototype.slice.call(oldMid[0].childNodes),
                         Array.prototype.slice.call(newMid[0].childNodes), null, ops);
    }
    if (needsScript(newMid)) { return false; }
    var before = s ? olds[olds.length - s] : anchor;
    ops.push(function () {
      newMid.forEach(function (node) { parent.insertBefore(document.importNode(node, true), before); });
      oldMid.forEach(function (node) { parent.removeChild(node); });
    });
    return true;
  }

  // Plan the children of ``oldParent`` to become those of ``newParent``, the child that
  // holds ``keep`` (the PDF frame: a frame moved or re-inserted loads again) never moved.
  function planAround(oldParent, newParent, keep, newKeep, ops) {
    var olds = Array.prototype.slice.call(oldParent.childNodes);
    var news = Array.prototype.slice.call(newParent.childNodes);
    var k = olds.findIndex(function (n) { return n === keep || n.contains(keep); });
    var nk = news.findIndex(function (n) { return n === newKeep || n.contains(newKeep); });
    if (k < 0 || nk < 0 || olds[k].nodeName !== news[nk].nodeName) { return false; }
    if (!planSegment(oldParent, olds.slice(0, k), news.slice(0, nk), olds[k], ops)
        || !planSegment(oldParent, olds.slice(k + 1), news.slice(nk + 1), null, ops)) {
      return false;
    }
    var oldChild = olds[k], newChild = news[nk];
    ops.push(function () { copyAttributes(newChild, oldChild, oldChild === keep ? "src" : null); });
    return oldChild === keep || planAround(oldChild, newChild, keep, newKeep, ops);
  }

  // As the theme's script does to the tables of an article (so that equal tables compare equal).
  function wrapTables(article) {
    article.querySelectorAll("table:not([class])").forEach(function (table) {
      if (table.parentElement.classList.contains("md-typeset__table")) { return; }
      var wrap = table.ownerDocument.createElement("div");
      var inner = table.ownerDocument.createElement("div");
      wrap.className = "md-typeset__scrollwrap";
      inner.className = "md-typeset__table";
      table.replaceWith(wrap);
      wrap.appendChild(inner);
      inner.appendChild(table);
    });
  }

  function swap(doc) {
    try {
      var article = document.querySelector(ARTICLE), fresh = doc.querySelector(ARTICLE);
      if (!article || !fresh || !article.querySelector(".page-meter")
          || !fresh.querySelector(".page-meter")) { return false; }
      wrapTables(fresh);
      var keep = article.querySelector(FRAME), newKeep = fresh.querySelector(FRAME);
      var ops = [];
      var planned = keep && newKeep ? planAround(article, fresh, keep, newKeep, ops)
        : !keep && planSegment(article, Array.prototype.slice.call(article.childNodes),
                               Array.prototype.slice.call(fresh.childNodes), null, ops);
      if (!planned) { return false; }
      var x = window.scrollX, y = window.scrollY;
      ops.forEach(function (op) { op(); });
      document.title = doc.title;
      show(storedOpen());
      window.scrollTo(x, y);
      document.dispatchEvent(new CustomEvent("briefs-preview-swapped"));
      return true;
    } catch (e) {
      return false;
    }
  }

  window.briefsPreview = { swap: swap };
  if (storedOpen()) { show(true); }
}());
