// Progressive enhancement only: the survey works the same without this file.
// Hides questions whose show-if condition is not met, numbers the visible questions 1, 2, 3 …, says whom
// the answers count for once the respondent has chosen, and moves focus to the error summary.
(function () {
  "use strict";
  var form = document.querySelector("form.survey");
  if (!form) return;

  function chosen(name) {
    var values = [];
    form.querySelectorAll('input[name="' + name + '"]:checked').forEach(function (input) {
      values.push(input.value);
    });
    return values;
  }

  function showAndHide() {
    form.querySelectorAll("[data-show-if]").forEach(function (question) {
      var source = document.getElementById(question.getAttribute("data-show-if"));
      var wanted = question.getAttribute("data-show-if-any").split(" ");
      var sourceShown = source && !source.hidden;
      var match = sourceShown && chosen(question.getAttribute("data-show-if")).some(function (v) {
        return wanted.indexOf(v) !== -1;
      });
      question.hidden = !match;
      var condition = question.querySelector(".condition");
      if (condition) condition.hidden = true;
    });
  }

  // The server numbers every question; the respondent sees only some, so they are numbered again.
  function renumber() {
    var next = 1;
    var numbers = {};
    form.querySelectorAll(".question").forEach(function (question) {
      var number = question.querySelector(".number");
      if (!number) return;
      if (question.hidden) return;
      number.textContent = next + ".";
      numbers[question.id] = next;
      next += 1;
    });
    document.querySelectorAll(".summary-number").forEach(function (label) {
      var n = numbers[label.getAttribute("data-for")];
      if (n) label.textContent = label.getAttribute("data-pattern").replace("{n}", n);
    });
  }

  function labelOf(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    if (!input) return "";
    var label = form.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.trim() : "";
  }

  function answeringAs() {
    var note = document.getElementById("answering-as");
    if (!note) return;
    var organisation = note.getAttribute("data-fixed-organisation") || labelOf("organisation");
    var group = note.getAttribute("data-fixed-group") || labelOf("target_group");
    var pattern = organisation && group ? "data-both" : organisation ? "data-organisation" : group ? "data-group" : "";
    if (!pattern) {
      note.hidden = true;
      return;
    }
    var text = note.getAttribute(pattern).replace("{organisation}", organisation).replace("{group}", group);
    if (note.textContent !== text) note.textContent = text;
    note.hidden = false;
  }

  function update() {
    showAndHide();
    // A second pass settles chains of conditions (a question shown only if a shown question is answered).
    showAndHide();
    renumber();
    answeringAs();
  }

  form.addEventListener("change", update);
  update();

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
