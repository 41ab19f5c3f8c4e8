// Passkeys (WebAuthn) for registration and the second login step. A static file, not an
// inline script, so the Content-Security-Policy needs no exception for it.
(function () {
  "use strict";

  function b64urlToBuffer(value) {
    const padded = value.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((value.length + 3) % 4);
    const raw = atob(padded);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function bufferToB64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let raw = "";
    for (let i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  function showError(message) {
    const box = document.getElementById("passkey-error");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  function credentialToJSON(credential) {
    const response = credential.response;
    const json = {
      id: credential.id,
      rawId: bufferToB64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: bufferToB64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = bufferToB64url(response.attestationObject);
      if (response.getTransports) json.response.transports = response.getTransports();
    } else {
      json.response.authenticatorData = bufferToB64url(response.authenticatorData);
      json.response.signature = bufferToB64url(response.signature);
      if (response.userHandle) json.response.userHandle = bufferToB64url(response.userHandle);
    }
    return json;
  }

  async function register(button) {
    const options = await post(button.dataset.optionsUrl);
    options.challenge = b64urlToBuffer(options.challenge);
    options.user.id = b64urlToBuffer(options.user.id);
    (options.excludeCredentials || []).forEach((c) => { c.id = b64urlToBuffer(c.id); });
    const credential = await navigator.credentials.create({ publicKey: options });
    const nameInput = document.getElementById("passkey-name");
    const result = await post(button.dataset.url, {
      credential: credentialToJSON(credential),
      name: nameInput ? nameInput.value : "",
    });
    window.location.assign(result.redirect);
  }

  async function login(button) {
    const options = await post(button.dataset.optionsUrl);
    options.challenge = b64urlToBuffer(options.challenge);
    (options.allowCredentials || []).forEach((c) => { c.id = b64urlToBuffer(c.id); });
    const credential = await navigator.credentials.get({ publicKey: options });
    const url = button.dataset.url + "?next=" + encodeURIComponent(button.dataset.next || "");
    const result = await post(url, { credential: credentialToJSON(credential) });
    window.location.assign(result.redirect);
  }

  function wire(id, action) {
    const button = document.getElementById(id);
    if (!button) return;
    if (!window.PublicKeyCredential) {
      button.disabled = true;
      showError(button.dataset.unsupported || "Passkeys werden von diesem Browser nicht unterstützt.");
      return;
    }
    button.addEventListener("click", () => {
      action(button).catch((error) => showError(error.message || String(error)));
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    wire("passkey-register", register);
    wire("passkey-login", login);
  });
})();
