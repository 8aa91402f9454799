// Upload a declarations file with a progress bar: bytes sent, then "checking and saving" until the
// server answers. Without this script the form posts normally and the result page shows when done.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var bar = form.querySelector("progress");
  var note = form.querySelector("[data-upload-note]");
  form.addEventListener("submit", function (event) {
    var file = form.querySelector("input[type=file]");
    if (!file || !file.files || file.files.length === 0) {
      return; // let the server say what is missing
    }
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    bar.value = 0;
    note.textContent = "Uploading…";
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        bar.max = progress.total;
        bar.value = progress.loaded;
      }
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // indeterminate while the rows are checked and saved
      note.textContent = "Checking and saving every row…";
    });
    request.addEventListener("load", function () {
      if (request.status === 200 && request.responseURL && request.responseURL !== form.action) {
        window.location.assign(request.responseURL);
        return;
      }
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () {
      note.textContent = "The upload failed; check the connection and try again.";
    });
    request.send(new FormData(form));
  });
})();
