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

  // The inbox list: fetched again only when the counts' stamp says something changed.
  function renderInbox(table, items) {
    var body = table.querySelector("tbody");
    body.textContent = "";
    if (!items.length) {
      var empty = document.createElement("tr");
      empty.className = "empty";
      var cell = text("td", "Không có cuộc trò chuyện nào đang chờ.");
      cell.colSpan = 5;
      empty.appendChild(cell);
      body.appendChild(empty);
    }
    items.forEach(function (item) {
      var row = document.createElement("tr");
      row.dataset.id = item.id;
      if (item.unread) row.className = "unread";
      var first = document.createElement("td");
      var link = text("a", item.name);
      link.href = item.url;
      first.appendChild(link);
      if (item.unread) {
        first.appendChild(document.createTextNode(" "));
        var badge = text("span", String(item.unread), "badge unread-count");
        badge.title = table.dataset.tUnread.replace("{n}", item.unread);
        first.appendChild(badge);
      }
      row.appendChild(first);
      row.appendChild(text("td", item.channel));
      row.appendChild(text("td", item.last_text));
      var wait = text("td", item.waiting, "waiting" + (item.waiting_since ? " long" : ""));
      if (item.waiting_since) wait.dataset.since = item.waiting_since;
      row.appendChild(wait);
      row.appendChild(text("td", item.handler || "Chưa có"));
      body.appendChild(row);
    });
  }

  function refreshInbox(table) {
    fetch(table.dataset.poll, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) renderInbox(table, data.items); })
      .catch(function () {});
  }

  // Waiting times move on between refreshes: the same wording as the server's (data-t-*).
  function waitingText(table, since) {
    var minutes = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 60000));
    if (minutes < 1) return table.dataset.tNow;
    if (minutes < 60) return table.dataset.tMinutes.replace("{minutes}", minutes);
    var hours = Math.floor(minutes / 60);
    if (hours < 24) return table.dataset.tHours.replace("{hours}", hours).replace("{minutes}", minutes % 60);
    return table.dataset.tDays.replace("{days}", Math.floor(hours / 24)).replace("{hours}", hours % 24);
  }

  function tickWaiting(table) {
    table.querySelectorAll("td[data-since]").forEach(function (cell) {
      cell.textContent = waitingText(table, cell.dataset.since);
    });
  }

  // One light poll on every page: the menu's unread counter; on the inbox, the cue to refresh.
  var COUNTS_MS = 10000;
  var lastStamp = null;
  function pollCounts(counter, table) {
    fetch(counter.dataset.poll, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        counter.textContent = data.unread;
        counter.hidden = !data.unread;
        counter.title = data.label;
        counter.setAttribute("aria-label", data.label);
        if (table && lastStamp !== null && data.stamp !== lastStamp) refreshInbox(table);
        lastStamp = data.stamp;
      })
      .catch(function () {})
      .finally(function () { setTimeout(function () { pollCounts(counter, table); }, COUNTS_MS); });
  }

  function lastId(list) {
    var items = list.querySelectorAll("li[data-id]");
    return items.length ? items[items.length - 1].dataset.id : "0";
  }

  function appendMessage(list, m) {
    if (list.querySelector('li[data-id="' + m.id + '"]')) return false;
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
    return m.direction === "in";
  }

  // New citizen messages shown on a visible page count as read by this person.
  function markRead(list) {
    if (document.hidden || !list.dataset.read) return;
    fetch(list.dataset.read, {method: "POST", credentials: "same-origin",
                              headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
                              body: JSON.stringify({message_id: Number(lastId(list))})}).catch(function () {});
  }

  function showMessages(list, data) {
    if (!data) return;
    var fresh = false;
    data.messages.forEach(function (m) { fresh = appendMessage(list, m) || fresh; });
    if (fresh) markRead(list);
  }

  function pollThread(list) {
    fetch(list.dataset.poll + "?after=" + lastId(list), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { showMessages(list, data); })
      .catch(function () {})
      .finally(function () { setTimeout(function () { pollThread(list); }, POLL_MS); });
  }

  function wireReply(form, list) {
    var select = document.getElementById("canned");
    var box = document.getElementById("reply-text");
    if (select) select.addEventListener("change", function () { if (select.value) box.value = select.value; });
    box.addEventListener("keydown", function (event) {  // Ctrl+Enter (⌘+Enter on a Mac) sends
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (box.value.trim()) form.requestSubmit();
      }
    });
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
      .then(function (data) { showMessages(list, data); });
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

  // The NLU review form: save-and-next from the keyboard (the page lists these keys).
  function wireReviewKeys(form) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        document.getElementById(event.shiftKey ? "reject" : "accept").click();
      } else if (event.altKey && /^[1-8]$/.test(event.key)) {
        var intent = document.getElementById("intent");
        var index = Number(event.key) - 1;
        if (intent && index < intent.options.length) {
          event.preventDefault();
          intent.selectedIndex = index;
        }
      } else if (event.altKey && (event.key === "n" || event.key === "N")) {
        event.preventDefault();
        window.location.href = form.dataset.next;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var review = document.getElementById("review-form");
    if (review) wireReviewKeys(review);
    document.querySelectorAll("select[data-required-for]").forEach(wireWard);
    var inbox = document.getElementById("inbox");
    var counter = document.getElementById("inbox-count");
    if (counter) pollCounts(counter, inbox);
    if (inbox) setInterval(function () { tickWaiting(inbox); }, 30000);
    var thread = document.getElementById("thread");
    if (thread) { thread.scrollTop = thread.scrollHeight; setTimeout(function () { pollThread(thread); }, POLL_MS); }
    var reply = document.getElementById("reply-form");
    if (reply) wireReply(reply, thread);
  });

  // <input type="checkbox" data-select-all="code"> ticks every checkbox named "code" of its form.
  document.addEventListener("change", function (event) {
    var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
    if (!name || !event.target.form) return;
    event.target.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  });

  // <form data-confirm="..."> asks before it is sent (no inline onsubmit: the CSP forbids it).
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
