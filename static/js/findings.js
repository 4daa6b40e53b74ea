// Bulk triage on the findings page: the row and group checkboxes belong to #bulk-triage (their
// form attribute); this keeps the count in the bar, ticks a group's rows with the group, and
// asks for the comment a dismissal needs before the form is sent.
(function () {
  "use strict";
  var form = document.getElementById("bulk-triage");
  if (!form) return;
  var counter = document.getElementById("bulk-count");
  var button = form.querySelector("button[type=submit]");
  var idle = counter.textContent;

  function update() {
    var total = 0;
    var groups = document.querySelectorAll("input.pick-group:checked");
    groups.forEach(function (box) { total += parseInt(box.getAttribute("data-count"), 10) || 0; });
    document.querySelectorAll("input.pick:checked").forEach(function (box) {
      var group = box.closest(".group");
      var whole = group && group.querySelector("input.pick-group:checked");
      if (!whole) total += 1;
    });
    counter.textContent = total ? total + " finding" + (total === 1 ? "" : "s") + " selected" : idle;
    button.disabled = total === 0;
    form.classList.toggle("idle", total === 0);
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches("input.pick-group")) {
      box.closest(".group").querySelectorAll("input.pick").forEach(function (row) { row.checked = box.checked; });
    } else if (box.matches("input.pick") && !box.checked) {
      var group = box.closest(".group");
      var whole = group && group.querySelector("input.pick-group");
      if (whole) whole.checked = false;
    } else if (!box.matches("input.pick")) {
      return;
    }
    update();
  });

  form.addEventListener("submit", function (event) {
    var state = form.elements.state.value;
    var comment = form.elements.comment;
    if (state !== "open" && !comment.value.trim()) {
      event.preventDefault();
      comment.setCustomValidity("Say why: a comment is required to dismiss findings.");
      comment.reportValidity();
    }
  });
  form.elements.comment.addEventListener("input", function () { form.elements.comment.setCustomValidity(""); });
  update();
})();
