// Faceted search over the briefs with Pagefind's JS API. No dependencies, no network:
// pagefind.js is loaded relative to this page, so the site works offline and from a subpath.
const PAGE_SIZE = 10;
// The site root: given by the page on a site of several languages (fr/search/ is two deep).
const root = new URL(document.querySelector(".cb-search").dataset.root || "../", window.location.href);
// "Include briefs in every language": the other languages' indexes are merged in.
const everyLanguage = document.getElementById("cb-all-languages");
const form = document.querySelector(".cb-search__form");
const input = document.getElementById("cb-q");
const sortSelect = document.getElementById("cb-sort");
const statusEl = document.querySelector(".cb-search__status");
const list = document.querySelector(".cb-search__list");
const more = document.querySelector(".cb-search__more");
const clear = document.querySelector(".cb-search__clear");
const facets = [...document.querySelectorAll(".cb-facet")].map((el) => el.dataset.facet);
// The page's words, in its language (from the message catalogue, embedded at build time).
const messages = JSON.parse(document.getElementById("cb-messages").textContent);
const plural = new Intl.PluralRules(document.documentElement.lang || "en");

function foundText(n) {
  const forms = messages.found;
  return (forms[plural.select(n)] || forms.other || Object.values(forms)[0]).replace("{n}", n);
}

let pagefind = null;
let results = [];
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
    }
  }
}

function syncUrl(query, chosen, sort) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  if (everyLanguage && everyLanguage.checked) params.set("languages", "all");
  if (sort) params.set("sort", sort);
  for (const [facet, values] of Object.entries(chosen)) values.forEach((v) => params.append(facet, v));
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
}

async function renderMore() {
  const batch = results.slice(shown, shown + PAGE_SIZE);
  const mine = generation;
  const data = await Promise.all(batch.map((r) => r.data()));
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
  shown += batch.length;
  more.hidden = shown >= results.length;
}

async function run() {
  const query = input.value.trim();
  const chosen = selected();
  const sortValue = sortSelect.value;
  syncUrl(query, chosen, sortValue);
  const mine = ++generation;
  if (!query && Object.keys(chosen).length === 0) {
    results = [];
    list.innerHTML = "";
    more.hidden = true;
    statusEl.textContent = messages.idle;
    return;
  }
  const filters = {};
  for (const [facet, values] of Object.entries(chosen)) filters[facet] = { any: values };
  const options = { filters };
  if (sortValue) {
    const [key, direction] = sortValue.split(":");
    options.sort = { [key]: direction };
  }
  const search = await pagefind.search(query || null, options);
  if (mine !== generation || search === null) return;
  results = search.results;
  shown = 0;
  list.innerHTML = "";
  statusEl.textContent = foundText(results.length);
  if (Object.keys(chosen).length) updateCounts(search.filters || {});
  await renderMore();
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(run, 180);
}

async function start() {
  statusEl.textContent = messages.loading;
  pagefind = await import(new URL("pagefind/pagefind.js", root).href);
  await pagefind.options({ baseUrl: root.pathname });
  await pagefind.init();
  const params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  sortSelect.value = params.get("sort") || "";
  let counts = "cb-facets";
  if (everyLanguage) {
    everyLanguage.checked = params.get("languages") === "all";
    // An index merged in cannot be taken out again: the page reloads with the new choice.
    everyLanguage.addEventListener("change", () => { run(); window.location.reload(); });
    if (everyLanguage.checked) {
      counts = "cb-facets-all";
      // The same bundle as the primary index, named so Pagefind does not skip it as itself.
      for (const language of everyLanguage.dataset.languages.split(" ").filter(Boolean)) {
        await pagefind.mergeIndex(`${root.pathname}pagefind/./`, { language, baseUrl: root.pathname });
      }
    }
  }
  // Facet values and counts come with the page: calling pagefind.filters() here would
  // download every filter index before the reader has typed anything.
  renderFacets(JSON.parse(document.getElementById(counts).textContent), params);
  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  input.addEventListener("input", schedule);
  sortSelect.addEventListener("change", run);
  document.querySelector(".cb-search__facets").addEventListener("change", run);
  more.addEventListener("click", renderMore);
  clear.addEventListener("click", () => {
    document.querySelectorAll(".cb-facet input:checked").forEach((box) => { box.checked = false; });
    run();
  });
  await run();
  document.body.dataset.searchReady = "true";
}

start().catch((error) => {
  statusEl.textContent = messages.unavailable.replace("{error}", error.message);
});
