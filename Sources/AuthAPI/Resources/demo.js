"use strict";
(() => {
  const $ = (id) => document.getElementById(id);

  function b64urlToBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    const raw = atob(padded);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function bytesToB64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let raw = "";
    for (const b of bytes) raw += String.fromCharCode(b);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function show(message, state) {
    const status = $("status");
    status.textContent = message;
    status.dataset.state = state || "ok";
  }

  async function api(method, path, body) {
    const init = { method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const detail = data && (data.detail || data.title) ? (data.detail || data.title) : response.statusText;
      const error = new Error(detail + (data && data.code ? " (" + data.code + ")" : ""));
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function descriptors(list) {
    return (list || []).map((d) => ({ type: d.type, id: b64urlToBytes(d.id), transports: d.transports }));
  }

  function credentialJSON(credential) {
    const r = credential.response;
    const response = { clientDataJSON: bytesToB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = bytesToB64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = bytesToB64url(r.authenticatorData);
      response.signature = bytesToB64url(r.signature);
      if (r.userHandle) response.userHandle = bytesToB64url(r.userHandle);
    }
    return {
      id: credential.id,
      rawId: bytesToB64url(credential.rawId),
      type: credential.type,
      response,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    };
  }

  function item(text, buttons) {
    const li = document.createElement("li");
    li.appendChild(document.createTextNode(text));
    for (const [label, handler] of buttons || []) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = label;
      button.addEventListener("click", handler);
      li.appendChild(button);
    }
    return li;
  }

  let mfaToken = null;
  // The token of a password-reset link this page was opened with (`#reset-password=TOKEN`), until it is used.
  let resetToken = null;

  async function refresh() {
    let session;
    try {
      session = await api("GET", "/v1/session");
    } catch (error) {
      if (error.status !== 401) show(error.message, "error");
      $("who").textContent = "Signed out";
      $("signed-in").hidden = true;
      $("signed-out").hidden = mfaToken !== null || resetToken !== null;
      $("mfa-step").hidden = mfaToken === null;
      $("reset-step").hidden = resetToken === null;
      $("backup-codes-box").hidden = true;
      return;
    }
    $("who").textContent = "Signed in as " + session.user_id + " (" + session.aal + ")";
    $("signed-in").hidden = false;
    $("signed-out").hidden = true;
    $("mfa-step").hidden = true;
    $("reset-step").hidden = true;
    const me = await api("GET", "/v1/me");
    $("account-state").textContent = me.email + (me.email_verified ? " · verified" : " · not verified yet");
    $("btn-resend").hidden = me.email_verified;
    const mfa = await api("GET", "/v1/mfa");
    $("mfa-state").textContent = mfa.totp_enabled
      ? "Authenticator app enabled · " + mfa.backup_codes_remaining + " backup codes left"
      : "Not enabled.";
    $("btn-totp-enroll").hidden = mfa.totp_enabled;
    const [sessions, passkeys] = await Promise.all([api("GET", "/v1/sessions"), api("GET", "/v1/passkeys")]);
    const sessionList = $("sessions");
    sessionList.replaceChildren(...sessions.sessions.map((s) =>
      item(s.id + " · " + s.aal + " · since " + s.created_at + (s.current ? " · this session" : ""))));
    const passkeyList = $("passkeys");
    passkeyList.replaceChildren(...passkeys.passkeys.map((p) =>
      item(p.name + " · created " + p.created_at + " · counter " + p.sign_count, [
        ["Rename", () => rename(p)],
        ["Delete", () => remove(p)],
      ])));
    if (passkeys.passkeys.length === 0) passkeyList.appendChild(item("No passkeys yet."));
    const identities = await api("GET", "/v1/identities");
    const identityList = $("identities");
    identityList.replaceChildren(...identities.identities.map((i) =>
      item(i.provider + " · " + (i.email || i.subject) + " · linked " + i.linked_at, [["Unlink", () => unlink(i)]])));
    if (identities.identities.length === 0) identityList.appendChild(item("No linked accounts."));
  }

  // External login: a button per configured provider; the callback comes back to this page with the outcome in the
  // fragment (#login=ok, #mfa_token=..., #linked=..., #error=...).
  function startURL(provider, link) {
    return "/v1/oauth/" + encodeURIComponent(provider) + "/start?return_to=%2F&mode=cookie" + (link ? "&link=true" : "");
  }

  async function loadProviders() {
    const list = await api("GET", "/v1/oauth/providers");
    const loginButtons = list.providers.map((p) => {
      const button = document.createElement("button");
      button.type = "button";
      button.id = "btn-provider-" + p.id;
      button.textContent = "Log in with " + p.display_name;
      button.addEventListener("click", () => { window.location.assign(startURL(p.id, false)); });
      return button;
    });
    $("providers").replaceChildren(...loginButtons);
    const linkButtons = list.providers.map((p) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.id = "btn-link-" + p.id;
      button.textContent = "Link " + p.display_name;
      button.addEventListener("click", () => { window.location.assign(startURL(p.id, true)); });
      return button;
    });
    $("link-providers").replaceChildren(...linkButtons);
  }

  function readFragment() {
    if (!window.location.hash) return;
    const outcome = new URLSearchParams(window.location.hash.slice(1));
    history.replaceState(null, "", window.location.pathname + window.location.search);
    if (outcome.get("login") === "ok") show("Logged in with an external account.");
    else if (outcome.get("linked")) show("Linked " + outcome.get("linked") + ".");
    else if (outcome.get("mfa_token")) {
      mfaToken = outcome.get("mfa_token");
      show("External login accepted; enter your second factor.");
    } else if (outcome.get("error")) show("External login failed: " + outcome.get("error"), "error");
  }

  async function unlink(identity) {
    if (!confirm("Unlink " + identity.provider + "?")) return;
    await run(async () => {
      await api("DELETE", "/v1/identities/" + encodeURIComponent(identity.id));
      show("Unlinked " + identity.provider + ".");
      await refresh();
    });
  }

  async function run(action) {
    try {
      await action();
    } catch (error) {
      show(error.message || String(error), "error");
    }
  }

  function credentials() {
    return { email: $("email").value.trim(), password: $("password").value };
  }

  async function register() {
    await api("POST", "/v1/users", credentials());
    await api("POST", "/v1/login/password", { ...credentials(), mode: "cookie" });
    show("Registered and logged in.");
    await refresh();
  }

  async function passwordLogin() {
    const result = await api("POST", "/v1/login/password", { ...credentials(), mode: "cookie" });
    if (result.mfa_required) {
      mfaToken = result.mfa_token;
      $("signed-out").hidden = true;
      $("mfa-step").hidden = false;
      $("mfa-code").focus();
      show("Password accepted; enter your second factor.");
      return;
    }
    show("Logged in with password.");
    await refresh();
  }

  async function mfaVerify() {
    const value = $("mfa-code").value.trim();
    const body = { mfa_token: mfaToken };
    if (/^[0-9]{6}$/.test(value)) body.code = value; else body.backup_code = value;
    const result = await api("POST", "/v1/login/mfa", body);
    mfaToken = null;
    $("mfa-code").value = "";
    show("Logged in with two factors (" + result.aal + ").");
    await refresh();
  }

  async function totpEnroll() {
    const enrollment = await api("POST", "/v1/mfa/totp/enroll", {});
    const svg = new DOMParser().parseFromString(enrollment.qr_svg, "image/svg+xml").documentElement;
    $("totp-qr").replaceChildren(document.importNode(svg, true));
    $("totp-secret").textContent = enrollment.secret;
    $("totp-setup").hidden = false;
    $("backup-codes-box").hidden = true;
    $("totp-code").focus();
    show("Scan the QR code, then enter the code the app shows.");
  }

  async function totpConfirm() {
    const result = await api("POST", "/v1/mfa/totp/confirm", { code: $("totp-code").value.trim() });
    $("totp-setup").hidden = true;
    $("totp-code").value = "";
    $("backup-codes").replaceChildren(...result.backup_codes.map((c) => item(c)));
    $("backup-codes-box").hidden = false;
    show("Authenticator app enabled.");
    await refresh();
  }

  async function addPasskey() {
    const options = await api("POST", "/v1/passkeys/register/options", {});
    const publicKey = {
      ...options,
      challenge: b64urlToBytes(options.challenge),
      user: { ...options.user, id: b64urlToBytes(options.user.id) },
      excludeCredentials: descriptors(options.excludeCredentials),
    };
    const credential = await navigator.credentials.create({ publicKey });
    const body = credentialJSON(credential);
    const name = $("passkey-name").value.trim();
    if (name) body.name = name;
    await api("POST", "/v1/passkeys/register/verify", body);
    show("Passkey added.");
    await refresh();
  }

  async function passkeyLogin() {
    const email = $("email").value.trim();
    const options = await api("POST", "/v1/login/passkey/options", email ? { email } : {});
    const publicKey = {
      ...options,
      challenge: b64urlToBytes(options.challenge),
      allowCredentials: descriptors(options.allowCredentials),
    };
    const credential = await navigator.credentials.get({ publicKey });
    const result = await api("POST", "/v1/login/passkey/verify", { ...credentialJSON(credential), mode: "cookie" });
    show("Logged in with passkey (" + result.aal + ").");
    await refresh();
  }

  async function logout() {
    await api("POST", "/v1/logout");
    show("Logged out.");
    await refresh();
  }

  async function rename(passkey) {
    const name = prompt("New name", passkey.name);
    if (!name) return;
    await run(async () => {
      await api("PATCH", "/v1/passkeys/" + encodeURIComponent(passkey.id), { name });
      show("Passkey renamed.");
      await refresh();
    });
  }

  async function remove(passkey) {
    if (!confirm("Delete passkey " + passkey.name + "?")) return;
    await run(async () => {
      await api("DELETE", "/v1/passkeys/" + encodeURIComponent(passkey.id));
      show("Passkey deleted.");
      await refresh();
    });
  }

  async function forgotPassword() {
    const email = $("email").value.trim();
    if (!email) throw new Error("Enter your email first.");
    await api("POST", "/v1/password/reset/request", { email });
    show("If the address has an account, a reset link is on its way.");
  }

  async function resetPassword() {
    const body = { token: resetToken, new_password: $("reset-password").value };
    const code = $("reset-code").value.trim();
    if (code) {
      if (/^[0-9]{6}$/.test(code)) body.code = code; else body.backup_code = code;
    }
    await api("POST", "/v1/password/reset/complete", body);
    resetToken = null;
    $("reset-password").value = "";
    $("reset-code").value = "";
    show("Password changed. Log in with your new password.");
    await refresh();
  }

  async function resendVerification() {
    await api("POST", "/v1/email/verification", {});
    show("A new verification link is on its way.");
  }

  async function changeEmail() {
    await api("POST", "/v1/email", { new_email: $("new-email").value.trim() });
    $("new-email").value = "";
    show("Open the link we sent to the new address to confirm the change.");
  }

  async function downloadData() {
    const response = await fetch("/v1/me/export", { credentials: "same-origin" });
    if (!response.ok) throw new Error("Export failed (" + response.status + ").");
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = "authd-export.json";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    show("Your data was downloaded.");
  }

  async function deleteAccount() {
    if (!confirm("Delete your account? This cannot be undone.")) return;
    await api("DELETE", "/v1/me");
    show("Account deleted.");
    await refresh();
  }

  // Links from mails carry their token in the fragment (never sent to a server): complete the flow here, then drop
  // the fragment from the address bar and history.
  async function followLink() {
    const match = /^#(verify-email|reset-password|confirm-email)=([A-Za-z0-9_-]{1,128})$/.exec(window.location.hash);
    if (!match) return;
    history.replaceState(null, "", window.location.pathname + window.location.search);
    const [, kind, token] = match;
    if (kind === "verify-email") {
      await api("POST", "/v1/email/verify", { token });
      show("Email verified.");
    } else if (kind === "confirm-email") {
      const result = await api("POST", "/v1/email/confirm", { token });
      show("Email changed to " + result.email + ".");
    } else {
      resetToken = token;
      show("Choose a new password.");
    }
  }

  $("btn-register").addEventListener("click", () => run(register));
  $("btn-login").addEventListener("click", () => run(passwordLogin));
  $("btn-add-passkey").addEventListener("click", () => run(addPasskey));
  $("btn-passkey-login").addEventListener("click", () => run(passkeyLogin));
  $("btn-logout").addEventListener("click", () => run(logout));
  $("btn-mfa-verify").addEventListener("click", () => run(mfaVerify));
  $("btn-totp-enroll").addEventListener("click", () => run(totpEnroll));
  $("btn-totp-confirm").addEventListener("click", () => run(totpConfirm));
  $("btn-forgot").addEventListener("click", () => run(forgotPassword));
  $("btn-reset").addEventListener("click", () => run(resetPassword));
  $("btn-resend").addEventListener("click", () => run(resendVerification));
  $("btn-change-email").addEventListener("click", () => run(changeEmail));
  $("btn-export").addEventListener("click", () => run(downloadData));
  $("btn-delete").addEventListener("click", () => run(deleteAccount));
  if (!window.PublicKeyCredential) show("This browser does not support passkeys.", "error");
  const followThenRefresh = () => run(async () => {
    try {
      await followLink();
      readFragment();
    } finally {
      await refresh();
    }
  });
  // A link opened in a tab already showing the page only changes the fragment.
  window.addEventListener("hashchange", followThenRefresh);
  run(loadProviders);
  followThenRefresh();
})();