// As-you-type suggestions for the search box: top document titles and "did you mean".
// No inline script (the page's CSP forbids it); results are inserted as text, never as HTML.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) return;
  var timer = null, controller = null, active = -1, lastQuery = null;

  function clear() {
    list.textContent = "";
    list.hidden = true;
    active = -1;
  }

  function item(text, href, cls) {
    var li = document.createElement("li");
    li.setAttribute("role", "option");
    if (cls) li.className = cls;
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    li.appendChild(a);
    list.appendChild(li);
  }

  // The form's own fields (exact, sort, the page's filters, typed) with another q: suggestions
  // are what submitting the form would find, and the did-you-mean link keeps the page's state.
  function formParams(q) {
    var params = input.form ? new URLSearchParams(new FormData(input.form)) : new URLSearchParams();
    params.set("q", q);
    return params;
  }

  function show(data) {
    list.textContent = "";
    active = -1;
    if (data.suggestion) {
      item("Có phải bạn muốn tìm: " + data.suggestion, "/?" + formParams(data.suggestion).toString(), "didyoumean");
    }
    (data.titles || []).forEach(function (t) { item(t.title, t.url, "title"); });
    list.hidden = !list.children.length;
  }

  function fetchSuggestions() {
    var q = input.value.trim();
    if (q === lastQuery) return;
    lastQuery = q;
    if (controller) controller.abort();
    if (!q) { clear(); return; }
    controller = new AbortController();
    var params = formParams(q.slice(0, 1000));
    params.delete("sort");  // suggestions are the best matches, whatever the page's order
    fetch("/api/suggest?" + params.toString(), { signal: controller.signal, headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && input.value.trim() === q) show(data); })
      .catch(function () {});
  }

  function move(step) {
    var items = list.children;
    if (!items.length) return;
    if (active >= 0) items[active].classList.remove("active");
    active = (active + step + items.length + 1) % (items.length + 1) - 1;
    if (active >= 0) items[active].classList.add("active");
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 200);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { move(1); e.preventDefault(); }
    else if (e.key === "ArrowUp") { move(-1); e.preventDefault(); }
    else if (e.key === "Escape") { clear(); }
    else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      window.location.href = list.children[active].firstChild.href;
    }
  });
  input.addEventListener("blur", function () { setTimeout(function () { clear(); lastQuery = null; }, 200); });
  input.form && input.form.addEventListener("submit", function () { clearTimeout(timer); clear(); });
})();
