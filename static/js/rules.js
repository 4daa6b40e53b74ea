// The rule catalog filters as you type or pick; the server applies the same filters without
// JavaScript. A link to #rule-... opens that rule's documentation.
(function () {
  "use strict";
  var form = document.getElementById("rule-filters");
  if (!form) return;
  var rules = Array.prototype.slice.call(document.querySelectorAll("article.rule"));
  var count = document.getElementById("rule-count");
  var none = document.getElementById("no-rules");

  function apply() {
    var words = form.elements.q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var severity = form.elements.severity.value;
    var category = form.elements.category.value;
    var block = form.elements.block.value;
    var shown = 0;
    rules.forEach(function (rule) {
      var text = rule.getAttribute("data-text");
      var match = (!severity || rule.dataset.severity === severity) &&
        (!category || rule.dataset.category === category) &&
        (!block || rule.dataset.block === block) &&
        words.every(function (word) { return text.indexOf(word) !== -1; });
      rule.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = shown + " of " + rules.length + " rules shown";
    none.hidden = shown !== 0;
    var query = new URLSearchParams(new FormData(form));
    Array.from(query.keys()).forEach(function (key) { if (!query.get(key)) query.delete(key); });
    var search = query.toString();
    history.replaceState(null, "", search ? "?" + search + location.hash : location.pathname + location.hash);
  }

  function openTarget() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.matches("article.rule")) {
      target.hidden = false;
      target.querySelector("details").open = true;
    }
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
