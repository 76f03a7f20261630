// Training job page: poll the job's status and move the progress bar; reload when it is done.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) return;
  var bar = document.getElementById("progress-bar");
  var stage = document.getElementById("progress-stage");
  var value = document.getElementById("progress-value");
  function poll() {
    fetch(box.dataset.poll, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) return setTimeout(poll, 1000);
        bar.value = job.progress;
        value.textContent = job.progress;
        stage.textContent = job.stage;
        if (job.done) { window.location.reload(); } else { setTimeout(poll, 700); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
