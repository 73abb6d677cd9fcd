// Faceted search over the briefs with Pagefind's JS API. No dependencies, no network:
// pagefind.js is loaded relative to this page, so the site works offline and from a subpath.
// Pagefind (its script, WebAssembly and index) loads only once there is something to search
// for, or the reader focuses the search box: a first visit to the page fetches none of it.
//
// Facet counts: with nothing typed or ticked, each value's count is its number of briefs in
// the whole collection (embedded in the page). Otherwise it is the number of briefs among the
// current results (the query AND every ticked facet; values ticked in one facet are ORed)
// that carry the value: Pagefind's `filters` in the search response. Pagefind counts only
// the filters it has loaded, so all of them are loaded (`pagefind.filters()`) before a
// search whose counts the reader can see: on a wide screen, where the filters sit beside
// the results, or on a narrow one once the Filters panel is open. Until then a phone
// fetches none of them (a third of a first search's bytes at 10,000 briefs); opening the
// panel loads them and counts the current search again.
//
// "Include briefs in every language" merges the other languages' indexes into this one's.
// Each index then gets a filter of its own (SOURCE), because Pagefind orders results merged
// from several indexes by score, which for a sorted search is a page's place in its own
// index: a sorted search over several asks each for its results alone and merges them by
// the date sort key (byDate).
const SOURCE = "cb-index";
// The site root: given by the page on a site of several languages (fr/search/ is two deep).
const root = new URL(document.querySelector(".cb-search").dataset.root || "../", window.location.href);
// "Include briefs in every language": the other languages' indexes are merged in.
const everyLanguage = document.getElementById("cb-all-languages");
const allLanguages = Boolean(everyLanguage)
  && new URLSearchParams(window.location.search).get("languages") === "all";
const form = document.querySelector(".cb-search__form");
const input = document.getElementById("cb-q");
const sortSelect = document.getElementById("cb-sort");
const statusEl = document.querySelector(".cb-search__status");
const list = document.querySelector(".cb-search__list");
const more = document.querySelector(".cb-search__more");
const clear = document.querySelector(".cb-search__clear");
const toggle = document.querySelector(".cb-search__toggle");
const panel = document.getElementById("cb-filters");
const active = document.querySelector(".cb-search__active");
const collection = JSON.parse(
  document.getElementById(allLanguages ? "cb-facets-all" : "cb-facets").textContent);
const facets = [...document.querySelectorAll(".cb-facet")].map((el) => el.dataset.facet);
// The page's words, in its language (from the message catalogue, embedded at build time).
const messages = JSON.parse(document.getElementById("cb-messages").textContent);
const plural = new Intl.PluralRules(document.documentElement.lang || "en");

function foundText(n) {
  const forms = messages.found;
  return (forms[plural.select(n)] || forms.other || Object.values(forms)[0]).replace("{n}", n);
}

const wide = window.matchMedia("(min-width: 48em)");  // search.css shows the filters there

// Results shown at a time: each loads its brief's fragment (its text, for the excerpt), so a
// phone, whose first screen holds two or three, loads five on a metered line, not ten.
function pageSize() {
  return wide.matches ? 10 : 5;
}

let pagefind = null;
let loading = null;
let filtersLoading = null;
let countsStale = false;
let sources = [];  // the SOURCE value of each index, when more than one is merged
let results = inOrder([]);
let shown = 0;
let generation = 0;
let timer = null;

function selected() {
  const chosen = {};
  for (const facet of facets) {
    const values = [...document.querySelectorAll(`.cb-facet[data-facet="${facet}"] input:checked`)]
      .map((box) => box.value);
    if (values.length) chosen[facet] = values;
  }
  return chosen;
}

// Elements are built with textContent and setAttribute only: a value from a brief can never
// become markup (no innerHTML with data).
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function renderFacets(all, params) {
  for (const facet of facets) {
    const box = document.querySelector(`.cb-facet[data-facet="${facet}"] .cb-facet__options`);
    const values = Object.keys(all[facet] || {}).sort((a, b) =>
      facet === "year" ? b.localeCompare(a) : a.localeCompare(b));
    const wanted = new Set(params.getAll(facet));
    box.innerHTML = "";
    values.forEach((value, i) => {
      const id = `cb-f-${facet}-${i}`;
      const input = el("input", { type: "checkbox", id, value });
      input.checked = wanted.has(value);
      const count = el("span", { class: "cb-facet__count" }, `(${all[facet][value]})`);
      box.appendChild(el("div", { class: "cb-facet__option" }, input,
        el("label", { for: id }, `${value} `, count)));
    });
    box.closest(".cb-facet").hidden = values.length === 0;
  }
}

function updateCounts(counts) {
  for (const facet of facets) {
    for (const box of document.querySelectorAll(`.cb-facet[data-facet="${facet}"] input`)) {
      const count = (counts[facet] || {})[box.value] || 0;
      box.nextElementSibling.querySelector(".cb-facet__count").textContent = `(${count})`;
      box.closest(".cb-facet__option").classList.toggle("is-empty", count === 0);
    }
  }
}

function showActive(chosen) {
  const n = Object.values(chosen).reduce((sum, values) => sum + values.length, 0);
  active.textContent = n ? ` (${n})` : "";
}

// Counts of an earlier search (or of the collection) are marked, not shown as current.
function markCounts(stale) {
  countsStale = stale;
  panel.toggleAttribute("data-counts-stale", stale);
}

function countsShown() {
  return wide.matches || toggle.getAttribute("aria-expanded") === "true";
}

// Every filter index, once (so that searches count every facet).
function loadFilters() {
  if (!filtersLoading) filtersLoading = pagefind.filters();
  return filtersLoading;
}

// Load Pagefind once (its script, WebAssembly and entry files).
function loadPagefind() {
  if (!loading) {
    loading = (async () => {
      const module = await import(new URL("pagefind/pagefind.js", root).href);
      const others = allLanguages ? everyLanguage.dataset.languages.split(" ").filter(Boolean) : [];
      const tag = (i) => (others.length ? { mergeFilter: { [SOURCE]: String(i) } } : {});
      await module.options({ baseUrl: root.pathname, ...tag(0) });
      await module.init();
      for (const [i, language] of others.entries()) {
        // The same bundle as the primary index, named so Pagefind does not skip it as itself.
        await module.mergeIndex(`${root.pathname}pagefind/./`,
          { language, baseUrl: root.pathname, ...tag(i + 1) });
      }
      sources = others.length ? Array.from({ length: others.length + 1 }, (_, i) => String(i)) : [];
      pagefind = module;
    })();
  }
  return loading;
}

// Results in Pagefind's order, handed out `take(n)` at a time as their data.
function inOrder(found) {
  let next = 0;
  return {
    total: found.length,
    async take(n) {
      const batch = found.slice(next, next + n);
      next += batch.length;
      return Promise.all(batch.map((r) => r.data()));
    },
  };
}

// Sorted results of several indexes, each list in its index's order, merged by the date
// sort key (which each result's metadata repeats as `sort`); equal keys in index order.
// Each list's next result is loaded to compare: a few fragments more than are shown.
function byDate(lists, total, descending) {
  const heads = lists.map(() => null);
  const taken = lists.map(() => 0);
  const head = (i) => {
    if (!heads[i] && taken[i] < lists[i].length) heads[i] = lists[i][taken[i]].data();
    return heads[i];
  };
  const before = (a, b) => {
    const x = (a.meta || {}).sort || "";
    const y = (b.meta || {}).sort || "";
    return descending ? x > y : x < y;
  };
  return {
    total,
    async take(n) {
      const out = [];
      while (out.length < n) {
        const data = await Promise.all(lists.map((_, i) => head(i)));
        let best = -1;
        data.forEach((item, i) => {
          if (item && (best < 0 || before(item, data[best]))) best = i;
        });
        if (best < 0) break;
        out.push(data[best]);
        heads[best] = null;
        taken[best] += 1;
      }
      return out;
    },
  };
}

function syncUrl(query, chosen, sort) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  if (sort) params.set("sort", sort);
  for (const [facet, values] of Object.entries(chosen)) values.forEach((v) => params.append(facet, v));
  if (allLanguages) params.set("languages", "all");
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
}

async function renderMore() {
  const mine = generation;
  const data = await results.take(pageSize());
  if (mine !== generation) return;
  for (const item of data) {
    const meta = item.meta || {};
    // Pagefind's excerpt is text with <mark> around the hits: parsed inertly (DOMParser runs
    // nothing, loads nothing), then rebuilt from its text and marks only.
    const excerpt = el("p", { class: "cb-result__excerpt" });
    const parsed = new DOMParser().parseFromString(item.excerpt || "", "text/html").body;
    for (const node of parsed.childNodes) {
      excerpt.append(node.nodeName === "MARK" ? el("mark", {}, node.textContent) : node.textContent);
    }
    list.appendChild(el("li", { class: "cb-result" },
      el("h2", { class: "cb-result__title" }, el("a", { href: item.url }, meta.title || item.url)),
      el("p", { class: "cb-result__meta" }, `${meta.countries || ""} · ${meta.themes || ""} · `,
        el("time", { datetime: meta.date || "" }, meta.date || "")),
      excerpt));
  }
  shown += data.length;
  more.hidden = shown >= results.total;
}

async function run() {
  const query = input.value.trim();
  const chosen = selected();
  const sortValue = sortSelect.value;
  syncUrl(query, chosen, sortValue);
  showActive(chosen);
  const mine = ++generation;
  if (!query && Object.keys(chosen).length === 0) {
    results = inOrder([]);
    list.innerHTML = "";
    more.hidden = true;
    updateCounts(collection);
    markCounts(false);
    statusEl.textContent = messages.idle;
    return;
  }
  if (!pagefind) {
    statusEl.textContent = messages.loading;
    await loadPagefind();
    if (mine !== generation) return;
  }
  const filters = {};
  for (const [facet, values] of Object.entries(chosen)) filters[facet] = { any: values };
  const options = { filters };
  const [key, direction] = sortValue.split(":");
  if (sortValue) options.sort = { [key]: direction };
  const counting = countsShown();
  if (counting) {
    await loadFilters();
    if (mine !== generation) return;
  }
  const search = await pagefind.search(query || null, options);
  if (mine !== generation || search === null) return;
  let found = inOrder(search.results);
  if (sortValue && sources.length > 1) {
    const each = await Promise.all(sources.map((source) => pagefind.search(query || null,
      { ...options, filters: { ...filters, [SOURCE]: source } })));
    if (mine !== generation) return;
    found = byDate(each.map((one) => (one ? one.results : [])), search.results.length,
      direction === "desc");
  }
  results = found;
  shown = 0;
  list.innerHTML = "";
  statusEl.textContent = foundText(results.total);
  if (counting) updateCounts(search.filters || {});
  markCounts(!counting);
  await renderMore();
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(guarded(run), 180);
}

function fail(error) {
  statusEl.textContent = messages.unavailable.replace("{error}", error.message);
}

function guarded(action) {
  return (...args) => action(...args).catch(fail);
}

// The filters fold behind the toggle on narrow screens (CSS shows them always on wide ones).
function setOpen(open) {
  toggle.setAttribute("aria-expanded", String(open));
  panel.classList.toggle("is-open", open);
}

async function start() {
  const params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  sortSelect.value = params.get("sort") || "";
  // Facet values and the collection's counts come with the page: nothing is fetched for them.
  renderFacets(collection, params);
  setOpen(false);
  if (everyLanguage) {
    everyLanguage.checked = allLanguages;
    // An index merged in cannot be taken out again: the page reloads with the new choice.
    everyLanguage.addEventListener("change", () => {
      const next = new URLSearchParams(window.location.search);
      if (everyLanguage.checked) next.set("languages", "all"); else next.delete("languages");
      window.location.search = next.toString();
    });
  }
  const recount = () => { if (countsStale && countsShown()) guarded(run)(); };
  toggle.addEventListener("click", () => {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
    recount();
  });
  wide.addEventListener("change", recount);
  form.addEventListener("submit", (event) => { event.preventDefault(); guarded(run)(); });
  input.addEventListener("input", schedule);
  input.addEventListener("focus", () => { loadPagefind().catch(fail); }, { once: true });
  sortSelect.addEventListener("change", guarded(run));
  panel.addEventListener("change", guarded(run));
  more.addEventListener("click", guarded(renderMore));
  clear.addEventListener("click", () => {
    document.querySelectorAll(".cb-facet input:checked").forEach((box) => { box.checked = false; });
    guarded(run)();
  });
  await run();
  document.body.dataset.searchReady = "true";
}

start().catch(fail);
