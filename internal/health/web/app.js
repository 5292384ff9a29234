// Refresh the status without reloading the page.
(function () {
  var main = document.getElementById("status");
  var secs = parseInt(main.dataset.refresh, 10) || 10;
  function refresh() {
    fetch("/fragment", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (f) {
        main.innerHTML = f.status;
        document.getElementById("summary").innerHTML = f.summary;
      })
      .catch(function () { document.getElementById("summary").classList.add("stale"); })
      .finally(function () { setTimeout(refresh, secs * 1000); });
  }
  setTimeout(refresh, secs * 1000);
})();
