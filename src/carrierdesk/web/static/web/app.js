/* carrierdesk staff UI: live countdowns, keyboard navigation, small conveniences.
   Loaded as a file (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";

  var formats = (document.body.dataset.durations || "%(count)dd|%(count)dh|%(count)dm|%(duration)s overdue").split("|");

  function fill(format, key, value) {
    return format.replace("%(" + key + ")d", value).replace("%(" + key + ")s", value);
  }

  /* The notifications' duration text ("1d 2h 5m"), in the page's language. */
  function duration(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = [];
    if (days) parts.push(fill(formats[0], "count", days));
    if (hours) parts.push(fill(formats[1], "count", hours));
    if (mins || !parts.length) parts.push(fill(formats[2], "count", mins));
    var text = parts.join(" ");
    return seconds < 0 ? fill(formats[3], "duration", text) : text;
  }

  /* Running clocks count down; the colour climbs the warning ladder when the next alert
     instant (computed by the server in working time) or the deadline passes. */
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".cd-countdown[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.dataset.deadline);
      var seconds = Math.round((deadline - now) / 1000);
      var level = parseInt(el.dataset.level || "0", 10);
      if (el.dataset.nextAlert && now >= Date.parse(el.dataset.nextAlert)) level = Math.min(level + 1, 4);
      if (seconds <= 0) level = Math.max(level, 3);
      var text = el.querySelector(".cd-remaining");
      if (text) text.textContent = duration(seconds);
      for (var i = 0; i <= 4; i++) el.classList.toggle("cd-level-" + i, i === level);
    });
  }

  /* Tables marked data-keynav: j/k or arrows move, Enter opens, x ticks the row's box,
     / jumps to the filter. */
  function rows(table) { return Array.prototype.slice.call(table.querySelectorAll("tbody tr")); }

  function focusRow(table, index) {
    var list = rows(table);
    if (!list.length) return;
    index = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (row) { row.classList.remove("table-active"); });
    list[index].classList.add("table-active");
    list[index].focus();
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (event.key === "/" && !typing) {
      var search = document.querySelector("[data-search]");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
    var table = document.querySelector("table[data-keynav]");
    if (!table) return;
    var list = rows(table);
    var current = list.indexOf(document.activeElement && document.activeElement.closest ? document.activeElement.closest("tr") : null);
    if (event.key === "j" || event.key === "ArrowDown") { event.preventDefault(); focusRow(table, current + 1); }
    else if (event.key === "k" || event.key === "ArrowUp") { event.preventDefault(); focusRow(table, current < 0 ? 0 : current - 1); }
    else if (event.key === "Enter" && current >= 0) {
      var link = list[current].querySelector("a[href]");
      if (link) { event.preventDefault(); link.click(); }
    } else if (event.key === "x" && current >= 0) {
      var box = list[current].querySelector("input[type=checkbox]");
      if (box) { event.preventDefault(); box.click(); }
    }
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]")) el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    if (el.matches && el.matches("[data-select-all]")) {
      document.querySelectorAll(el.dataset.selectAll).forEach(function (box) { box.checked = el.checked; });
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  /* A form refused by the server (422) still replaces the part of the page it came from,
     with the errors next to the fields. */
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });

  tick();
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);
})();
