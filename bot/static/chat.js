// Web chat: the thread comes from the server by id (`?after=<last id>`), one node per id, so a
// reload restores it and slow or overlapping polls never show a message twice. What the citizen
// sends shows at once as "pending" and takes its id when the server has it.
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("chat-texts").textContent);
  var thread = document.getElementById("thread");
  var buttons = document.getElementById("buttons");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var fileInput = document.getElementById("file");
  var picked = document.getElementById("picked");
  var pickedName = document.getElementById("picked-name");
  var status = document.getElementById("status");
  var allowedTypes = form.dataset.uploadTypes.split(",");
  var maxBytes = Number(form.dataset.uploadMaxBytes);
  var nodes = {};          // message id -> <li>
  var pending = {};        // client message id -> <li> not yet confirmed by the server
  var replies = {};        // message id -> its quick replies (outgoing messages)
  var lastId = 0;
  var newestId = 0;
  var inFlight = null;
  var pollAgain = false;
  var chosenFile = null;
  var stick = true;        // the thread follows new messages while the citizen is at its end
  var touch = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function say(text, isError) {
    status.textContent = text || "";
    status.classList.toggle("error", Boolean(isError));
  }

  function nearBottom() {
    return thread.scrollHeight - thread.scrollTop - thread.clientHeight < 120;
  }

  function toBottom() { thread.scrollTop = thread.scrollHeight; }

  function fileLink(file) {
    var link = document.createElement("a");
    link.href = file.url;
    link.target = "_blank";
    link.rel = "noopener";
    if (file.image) {
      var image = document.createElement("img");
      image.src = file.url;
      image.alt = T.photo_of.replace("{name}", file.name);
      image.addEventListener("load", function () { if (stick) { toBottom(); } });
      link.appendChild(image);
    } else {
      link.textContent = file.name;
      link.className = "doc";
    }
    return link;
  }

  function fill(item, message) {
    item.textContent = "";
    var who = document.createElement("span");
    who.className = message.from === "staff" ? "who" : "visually-hidden";
    who.textContent = message.from === "staff" ? message.sender
      : (message.from === "citizen" ? T.you : T.bot) + ": ";
    item.appendChild(who);
    if (message.files && message.files.length) {
      var files = document.createElement("div");
      files.className = "files";
      message.files.forEach(function (file) { files.appendChild(fileLink(file)); });
      item.appendChild(files);
    }
    if (message.text) { item.appendChild(document.createTextNode(message.text)); }
  }

  function place(item, id) {
    // Before the first message with a larger id, or before what is still pending.
    var children = thread.children;
    for (var i = 0; i < children.length; i++) {
      var other = children[i].dataset.messageId;
      if (!other || Number(other) > id) { thread.insertBefore(item, children[i]); return; }
    }
    thread.appendChild(item);
  }

  function absorb(message) {
    if (nodes[message.id]) { return false; }
    var item = message.client_id && pending[message.client_id];
    if (item) {
      delete pending[message.client_id];
      item.classList.remove("pending");
    } else {
      item = document.createElement("li");
    }
    item.className = message.from === "citizen" ? "me" : message.from;
    item.dataset.messageId = String(message.id);
    fill(item, message);
    nodes[message.id] = item;
    replies[message.id] = message.from === "citizen" ? [] : (message.quick_replies || []);
    place(item, message.id);
    newestId = Math.max(newestId, message.id);
    return true;
  }

  function refreshButtons() {
    var waiting = Object.keys(pending).length > 0;
    showButtons(waiting ? [] : replies[newestId] || []);
  }

  function showButtons(quickReplies) {
    var hadFocus = buttons.contains(document.activeElement);
    buttons.textContent = "";
    quickReplies.forEach(function (reply) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = reply.title;
      button.addEventListener("click", function () { send("", reply.payload, reply.title); });
      buttons.appendChild(button);
    });
    // Keep keyboard focus in the controls; on a touch screen, do not pop the keyboard up.
    var next = buttons.firstChild || (touch ? thread : input);
    if (hadFocus) { next.focus({ preventScroll: true }); }
  }

  function poll() {
    if (inFlight) { pollAgain = true; return inFlight; }
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, 15000);
    inFlight = fetch("/chat/api/messages?after=" + lastId,
                     { credentials: "same-origin", signal: controller && controller.signal })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        var added = 0;
        (data.messages || []).forEach(function (message) {
          lastId = Math.max(lastId, message.id);
          if (absorb(message)) { added += 1; }
        });
        if (added) {
          refreshButtons();
          if (stick) { toBottom(); } else { say(T.new_messages); }
        }
        if (data.more) { pollAgain = true; }
        if (status.textContent === T.offline) { say(""); }
        return true;
      })
      .catch(function () { say(T.offline, true); return false; })
      .then(function (ok) {
        clearTimeout(timer);
        inFlight = null;
        if (pollAgain) { pollAgain = false; poll(); }
        return ok;
      });
    return inFlight;
  }

  function addPending(clientId, text, file) {
    var item = document.createElement("li");
    item.className = "me pending";
    var files = file ? [{ name: file.name, url: URL.createObjectURL(file), image: file.type.indexOf("image/") === 0 }] : [];
    fill(item, { from: "citizen", text: text, files: files });
    thread.appendChild(item);
    pending[clientId] = item;
    showButtons([]);
    toBottom();
    return item;
  }

  function confirmed(clientId, id) {
    var item = pending[clientId];
    if (!item || !id || nodes[id]) { return; }
    // The server has it: it keeps this node; the next poll fills in what the server stored.
    delete pending[clientId];
    item.classList.remove("pending");
    item.dataset.messageId = String(id);
    nodes[id] = item;
    replies[id] = [];
    newestId = Math.max(newestId, id);
    place(item, id);
  }

  function failed(clientId, text) {
    var item = pending[clientId];
    if (item) { item.remove(); delete pending[clientId]; }
    say(text, true);
    refreshButtons();
  }

  function after(response, clientId, failure) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      // Refusals meant for the citizen (file type, size) carry a reason and a Vietnamese text.
      if (!response.ok) { failed(clientId, data.reason && data.error ? data.error : failure); return false; }
      say("");
      confirmed(clientId, data.id);
      setTimeout(poll, 150); setTimeout(poll, 700);
      return true;
    });
  }

  function send(text, payload, label) {
    var clientId = newId();
    addPending(clientId, label || text);
    var body = { client_message_id: clientId, text: label || text };
    if (payload) { body.payload = payload; }
    say(T.sending);
    return fetch("/chat/api/messages", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (response) { return after(response, clientId, T.send_failed); })
      .then(function (sent) {  // refused (too many messages): the text stays in the composer
        if (!sent && !payload) { input.value = input.value || text; }
        return sent;
      })
      .catch(function () {
        failed(clientId, T.send_failed);
        if (!payload) { input.value = input.value || text; }
        return false;
      });
  }

  function sendFile(file, caption) {
    var clientId = newId();
    addPending(clientId, caption, file);
    var body = new FormData();
    body.append("client_message_id", clientId);
    body.append("text", caption);
    body.append("file", file, file.name);
    say(T.uploading);
    return fetch("/chat/api/uploads", {
      method: "POST", credentials: "same-origin", headers: { "X-Requested-With": "pakn-webchat" }, body: body
    }).then(function (response) { return after(response, clientId, T.upload_failed); })
      .catch(function () { failed(clientId, T.upload_failed); return false; });
  }

  function pick(file) {
    chosenFile = null;
    picked.hidden = true;
    fileInput.value = "";
    if (!file) { return; }
    if (allowedTypes.indexOf(file.type) < 0) { say(T.wrong_type, true); return; }
    if (file.size > maxBytes) { say(T.too_large, true); return; }
    chosenFile = file;
    pickedName.textContent = file.name;
    picked.hidden = false;
    say("");
    input.focus({ preventScroll: true });
  }

  fileInput.addEventListener("change", function () { pick(fileInput.files && fileInput.files[0]); });
  document.getElementById("unpick").addEventListener("click", function () { pick(null); input.focus(); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    var file = chosenFile;
    if (!text && !file) { input.focus(); return; }
    input.value = "";
    resize();
    if (file) { pick(null); sendFile(file, text); } else { send(text); }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  function resize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, window.innerHeight * 0.3) + "px";
  }
  input.addEventListener("input", resize);
  thread.addEventListener("scroll", function () {
    stick = nearBottom();
    if (stick && status.textContent === T.new_messages) { say(""); }
  });
  // The on-screen keyboard shrinks the visible area: keep the newest message in sight.
  window.addEventListener("resize", function () { if (stick) { toBottom(); } });
  resize();

  poll().then(function (ok) {
    toBottom();
    if (ok && newestId === 0 && Object.keys(pending).length === 0) { send(T.greeting); }
  });
  setInterval(poll, 2000);
})();
