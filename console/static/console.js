// Live updates for the staff console: the inbox list and an open thread are polled every few
// seconds; the reply form posts JSON with the page's CSRF token in the X-CSRFToken header.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var POLL_MS = 3000;

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  function pollInbox(table) {
    var body = table.querySelector("tbody");
    fetch(table.dataset.poll, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        body.textContent = "";
        if (!data.items.length) {
          var empty = document.createElement("tr");
          empty.className = "empty";
          var cell = text("td", "Không có cuộc trò chuyện nào đang chờ.");
          cell.colSpan = 5;
          empty.appendChild(cell);
          body.appendChild(empty);
        }
        data.items.forEach(function (item) {
          var row = document.createElement("tr");
          row.dataset.id = item.id;
          var first = document.createElement("td");
          var link = text("a", item.name);
          link.href = item.url;
          first.appendChild(link);
          row.appendChild(first);
          [item.channel, item.last_text, item.last_at, item.handler || "Chưa có"].forEach(function (v) {
            row.appendChild(text("td", v));
          });
          body.appendChild(row);
        });
      })
      .catch(function () {})
      .finally(function () { setTimeout(function () { pollInbox(table); }, POLL_MS); });
  }

  function lastId(list) {
    var items = list.querySelectorAll("li[data-id]");
    return items.length ? items[items.length - 1].dataset.id : "0";
  }

  function appendMessage(list, m) {
    if (list.querySelector('li[data-id="' + m.id + '"]')) return;
    var li = document.createElement("li");
    li.className = "msg " + m.direction;
    li.dataset.id = m.id;
    li.appendChild(text("div", (m.direction === "in" ? "Công dân" : m.author) + " · " + m.at, "meta"));
    li.appendChild(text("div", m.text, "text"));
    if (m.files && m.files.length) {
      var files = document.createElement("ul");
      files.className = "attachments";
      m.files.forEach(function (f) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = f.url; link.target = "_blank"; link.rel = "noopener";
        if (f.image) {
          var img = document.createElement("img");
          img.src = f.url; img.alt = "Ảnh công dân gửi: " + f.name;
          link.appendChild(img);
        }
        link.appendChild(text("span", f.name));
        item.appendChild(link);
        files.appendChild(item);
      });
      li.appendChild(files);
    }
    if (m.intent) {
      li.appendChild(text("div", "ý định: " + m.intent + " (" + (m.confidence || 0).toFixed(2) + ")" +
        (m.procedure ? " · lĩnh vực: " + m.procedure : ""), "nlu"));
    }
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }

  function pollThread(list) {
    fetch(list.dataset.poll + "?after=" + lastId(list), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) data.messages.forEach(function (m) { appendMessage(list, m); }); })
      .catch(function () {})
      .finally(function () { setTimeout(function () { pollThread(list); }, POLL_MS); });
  }

  function wireReply(form, list) {
    var select = document.getElementById("canned");
    var box = document.getElementById("reply-text");
    if (select) select.addEventListener("change", function () { if (select.value) box.value = select.value; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.action, {method: "POST", credentials: "same-origin",
                          headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                          body: JSON.stringify({text: box.value})})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.ok) { box.value = ""; if (list) pollOnce(list); }
          else { alert(data.error || "Không gửi được."); }
        })
        .finally(function () { button.disabled = false; });
    });
  }

  function pollOnce(list) {
    fetch(list.dataset.poll + "?after=" + lastId(list), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) { data.messages.forEach(function (m) { appendMessage(list, m); }); });
  }

  // Forwarding or transferring to a commune-level agency (UBND xã, phường) needs the case's ward
  // when it has none: the ward list becomes required for those agencies (the server checks too).
  function wireWard(ward) {
    var agency = ward.form.querySelector('select[name="agency_id"]');
    var needing = ward.dataset.requiredFor.split(" ");
    function update() {
      var target = (agency && agency.value) || ward.dataset.currentAgency;
      ward.required = !ward.dataset.hasWard && needing.indexOf(target) >= 0;
    }
    if (agency) agency.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-required-for]").forEach(wireWard);
    var inbox = document.getElementById("inbox");
    if (inbox) setTimeout(function () { pollInbox(inbox); }, POLL_MS);
    var thread = document.getElementById("thread");
    if (thread) { thread.scrollTop = thread.scrollHeight; setTimeout(function () { pollThread(thread); }, POLL_MS); }
    var reply = document.getElementById("reply-form");
    if (reply) wireReply(reply, thread);
  });

  // <form data-confirm="..."> asks before it is sent (no inline onsubmit: the CSP forbids it).
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
