// Progressive enhancement only: the form works the same without this file.
// Hides questions whose show-if condition is not met, and moves focus to the error summary.
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

  function update() {
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

  form.addEventListener("change", update);
  update();
  // A second pass settles chains of conditions (a question shown only if a shown question is answered).
  update();

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
