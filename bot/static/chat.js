// Web chat: post what the citizen types or taps, poll for the bot's replies.
(function () {
  "use strict";
  var thread = document.getElementById("thread");
  var buttons = document.getElementById("buttons");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var status = document.getElementById("status");
  var lastId = 0;
  var polling = null;

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function show(text, who) {
    var item = document.createElement("li");
    item.className = who;
    item.textContent = text;
    thread.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function showButtons(quickReplies) {
    buttons.innerHTML = "";
    (quickReplies || []).forEach(function (reply) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = reply.title;
      button.addEventListener("click", function () { send("", reply.payload, reply.title); });
      buttons.appendChild(button);
    });
  }

  function poll() {
    return fetch("/chat/api/messages?after=" + lastId, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        (data.messages || []).forEach(function (message) {
          lastId = Math.max(lastId, message.id);
          show(message.text, "bot");
          showButtons(message.quick_replies);
        });
        status.textContent = "";
      })
      .catch(function () { status.textContent = "Mất kết nối, đang thử lại…"; });
  }

  function send(text, payload, label) {
    show(label || text, "me");
    showButtons([]);
    var body = { client_message_id: newId(), text: text };
    if (payload) { body.payload = payload; }
    status.textContent = "Đang gửi…";
    return fetch("/chat/api/messages", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      setTimeout(poll, 150); setTimeout(poll, 600);
    }).catch(function () { status.textContent = "Chưa gửi được tin nhắn, vui lòng thử lại."; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  poll().then(function () {
    if (lastId === 0) { send("Xin chào"); }
  });
  polling = setInterval(poll, 2000);
})();
