// The scan station (core/_scan_station.html): one input fed by a keyboard-wedge scanner, a
// phone's keyboard or its camera. Each scan gets a client key and its scan time and is posted
// with fetch; the server answers with the feedback fragment (medtrace.core.scanning), which
// is swapped in, and may name htmx events (HX-Trigger) for the lists beside the station.
// A scan that cannot reach the server (no network, or a 502/503/504 from the proxy) is kept
// in localStorage and sent again, in order, when the connection is back: the server records
// a key once, so a scan that did arrive the first time is answered like the first time.
// Texts come from the template's data-text-* attributes (translated there).
(function () {
  "use strict";
  if (window.MedtraceScanStation) return;

  const GS = "\x1d";
  // Textual spellings of the GS separator some scanners type (as medtrace.scan.gs1 reads).
  const GS_SPELLINGS = ["<GS>", "{GS}", "^]", "\u241d", "\\x1d", "\\u001d"];
  // A wedge scanner types a code in a burst; a GS followed by this long a silence ends it.
  const GS_TERMINATOR_MS = 120;
  const RETRY_MS = 10000;
  const QUEUE_LIMIT = 500;
  const RETRY_STATUSES = [0, 502, 503, 504];

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    const bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function normalize(text) {
    let value = text;
    for (const spelling of GS_SPELLINGS) value = value.split(spelling).join(GS);
    return value;
  }

  // The code as sent: GS kept inside (FNC1 separators of a GS1 element string), a trailing
  // one (the scanner's terminator) and line ends dropped. A trailing space stays: it can be
  // an HIBC code's mod-43 check character.
  function finished(text) {
    return normalize(text).replace(/[\x1d\r\n\t]+$/, "").replace(/^\s+/, "");
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_m, name) => (name in values ? String(values[name]) : ""));
  }

  function csrfToken(form) {
    const field = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (field && field.value) return field.value;
    const meta = document.querySelector("meta[name=csrf-token]");
    if (meta) return meta.content;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (_error) {
      return "";
    }
  }

  // --- sound and vibration ---------------------------------------------------------------
  let audio = null;
  function signal(ok) {
    try {
      if (navigator.vibrate) navigator.vibrate(ok ? 60 : [120, 80, 120]);
    } catch (_error) { /* not allowed: fine */ }
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      const tones = ok ? [[1046, 0, 0.09]] : [[220, 0, 0.16], [196, 0.2, 0.22]];
      for (const [frequency, start, length] of tones) {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = ok ? "sine" : "square";
        oscillator.frequency.value = frequency;
        gain.gain.value = 0.08;
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(audio.currentTime + start);
        oscillator.stop(audio.currentTime + start + length);
      }
    } catch (_error) { /* no sound: the colour says it */ }
  }

  // --- one station ------------------------------------------------------------------------
  class Station {
    constructor(root) {
      this.root = root;
      this.form = root.querySelector("form");
      this.input = root.querySelector("[data-scan-code]");
      this.feedback = root.querySelector("[data-feedback]");
      this.queueBadge = root.querySelector("[data-queue]");
      this.cameraButton = root.querySelector("[data-camera]");
      this.videoBox = root.querySelector("[data-video-box]");
      this.video = root.querySelector("[data-video]");
      this.url = root.dataset.postUrl || this.form.action;
      this.storageKey = `medtrace.scanqueue:${new URL(this.url, window.location.href).pathname}`;
      this.text = root.dataset;
      this.flushing = false;
      this.gsTimer = null;
      this.reader = null;
      this.lastCamera = { text: "", at: 0 };

      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.scanned(this.input.value);
      });
      this.input.addEventListener("keydown", (event) => this.keydown(event));
      this.input.addEventListener("input", () => this.typed());
      if (this.cameraButton && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
        this.cameraButton.hidden = false;
        this.cameraButton.addEventListener("click", () => this.toggleCamera());
      }
      window.addEventListener("online", () => this.flush());
      window.setInterval(() => this.flush(), RETRY_MS);
      this.showQueue();
      this.flush();
      this.input.focus();
    }

    // Keyboard wedge: Enter ends a scan; so does a GS that nothing follows (Ctrl+] is how
    // many scanners type GS as a key).
    keydown(event) {
      if (event.key === "Enter") {
        event.preventDefault();
        this.scanned(this.input.value);
        return;
      }
      if (event.ctrlKey && (event.key === "]" || event.code === "BracketRight")) {
        event.preventDefault();
        this.insert(GS);
        this.typed();
      }
    }

    insert(text) {
      const input = this.input;
      const start = input.selectionStart ?? input.value.length;
      const end = input.selectionEnd ?? input.value.length;
      input.value = input.value.slice(0, start) + text + input.value.slice(end);
      input.selectionStart = input.selectionEnd = start + text.length;
    }

    typed() {
      window.clearTimeout(this.gsTimer);
      const value = normalize(this.input.value);
      if (value.endsWith(GS) && value.replace(/\x1d/g, "").trim()) {
        this.gsTimer = window.setTimeout(() => {
          if (normalize(this.input.value).endsWith(GS)) this.scanned(this.input.value);
        }, GS_TERMINATOR_MS);
      }
    }

    scanned(raw) {
      window.clearTimeout(this.gsTimer);
      const code = finished(raw || "");
      this.input.value = "";
      this.input.focus();
      if (!code) return;
      // Every scan goes through the queue, so scans are sent one at a time and in order.
      const waiting = this.queue().length > 0 && !this.flushing;
      const scan = { code, key: newKey(), at: new Date().toISOString(), fields: this.fields(), queued: waiting };
      this.enqueue(scan);
      if (waiting) this.showQueued(scan);
      this.flush();
    }

    fields() {
      const entries = [];
      for (const [name, value] of new FormData(this.form).entries()) {
        if (name === "code" || name === "csrfmiddlewaretoken" || typeof value !== "string") continue;
        entries.push([name, value]);
      }
      return entries;
    }

    async post(scan) {
      const body = new URLSearchParams();
      body.append("code", scan.code);
      body.append("key", scan.key);
      body.append("at", scan.at);
      for (const [name, value] of scan.fields) body.append(name, value);
      try {
        return await window.fetch(this.url, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(this.form), "X-Scan-Station": "1" },
        });
      } catch (_error) {
        return null; // the network: no answer at all
      }
    }

    // Post one scan; false when it did not reach the server (it stays queued).
    async send(scan) {
      this.root.classList.add("is-sending");
      const response = await this.post(scan);
      this.root.classList.remove("is-sending");
      if (response === null || RETRY_STATUSES.includes(response.status)) {
        if (!scan.queued) this.showQueued(scan);
        return false;
      }
      await this.answer(response);
      return true;
    }

    showQueued(scan) {
      this.show(`<div class="scan-feedback scan-queued" role="status"><p class="scan-feedback-message">${escapeHtml(this.text.textQueuedNow)}</p><p class="scan-feedback-detail">${escapeHtml(scan.code)}</p></div>`, null);
      signal(false);
    }

    async answer(response) {
      const text = await response.text();
      if (response.ok) {
        this.show(text, response.headers.get("HX-Trigger"));
      } else {
        const message = format(this.text.textFailed, { status: response.status });
        this.show(`<div class="scan-feedback scan-refused" role="status" data-ok="false"><p class="scan-feedback-message">✖ ${escapeHtml(message)}</p></div>`, null);
      }
    }

    show(html, trigger) {
      this.feedback.innerHTML = html;
      const box = this.feedback.querySelector(".scan-feedback");
      if (box && box.dataset.ok) {
        const ok = box.dataset.ok === "true";
        signal(ok);
        if (ok && box.dataset.complete === "true") this.clearTask();
      }
      this.feedback.classList.remove("flash");
      void this.feedback.offsetWidth; // restart the animation
      this.feedback.classList.add("flash");
      if (trigger) fire(trigger);
    }

    clearTask() {
      for (const field of this.form.querySelectorAll("[data-station-clear]")) field.value = "";
    }

    // --- the offline queue ---------------------------------------------------------------
    queue() {
      try {
        const stored = JSON.parse(window.localStorage.getItem(this.storageKey) || "[]");
        return Array.isArray(stored) ? stored : [];
      } catch (_error) {
        return [];
      }
    }

    save(queue) {
      try {
        window.localStorage.setItem(this.storageKey, JSON.stringify(queue.slice(0, QUEUE_LIMIT)));
      } catch (_error) { /* storage full or denied: the badge shows what is left */ }
      this.showQueue();
    }

    enqueue(scan) {
      const queue = this.queue();
      if (!queue.some((each) => each.key === scan.key)) queue.push(scan);
      this.save(queue);
    }

    showQueue() {
      const count = this.queue().length;
      this.queueBadge.hidden = count === 0;
      this.queueBadge.textContent = count ? format(this.text.textQueued, { count }) : "";
      this.root.classList.toggle("has-queue", count > 0);
    }

    // Send the queue in order; stop at the first network failure (the next try starts there).
    async flush() {
      if (this.flushing) return;
      this.flushing = true;
      let resent = 0;
      try {
        for (;;) {
          const queue = this.queue();
          if (!queue.length) break;
          const scan = queue[0];
          const ok = await this.send(scan);
          const rest = this.queue();
          if (!ok) {
            // Everything left waits for the connection.
            for (const each of rest) each.queued = true;
            this.save(rest);
            break;
          }
          if (scan.queued) resent += 1;
          this.save(rest.filter((each) => each.key !== scan.key));
        }
      } finally {
        this.flushing = false;
      }
      if (resent) {
        const note = document.createElement("p");
        note.className = "scan-feedback-flushed";
        note.textContent = format(this.text.textFlushed, { count: resent });
        this.feedback.appendChild(note);
      }
    }

    // --- the camera ----------------------------------------------------------------------
    async toggleCamera() {
      if (this.reader) {
        this.stopCamera();
        return;
      }
      try {
        await loadZxing(this.root.dataset.zxingSrc);
        // ASSUME_GS1: a GS1-128's FNC1 characters come back as "]C1" up front and GS between
        // elements (without it ZXing drops them, and "10A1B2" FNC1 "21S1" would read as one
        // lot "A1B221S1"). A GS1 DataMatrix answers a leading GS either way, which the scan
        // parser reads as its FNC1. Plain Code 128 (location labels) and QR are unaffected.
        const hints = new Map();
        hints.set(window.ZXing.DecodeHintType.ASSUME_GS1, true);
        this.reader = new window.ZXing.BrowserMultiFormatReader(hints);
        this.videoBox.hidden = false;
        this.cameraButton.textContent = this.text.textCameraStop;
        await this.reader.decodeFromConstraints(
          { video: { facingMode: { ideal: "environment" } } },
          this.video,
          (result) => {
            if (!result) return;
            const text = result.getText();
            const now = Date.now();
            // The camera sees the same label many times a second: take it once.
            if (text === this.lastCamera.text && now - this.lastCamera.at < 3000) return;
            this.lastCamera = { text, at: now };
            this.scanned(text);
          },
        );
      } catch (error) {
        this.stopCamera();
        const message = format(this.text.textCameraFailed, { error: (error && error.message) || error });
        this.show(`<div class="scan-feedback scan-refused" role="status"><p class="scan-feedback-message">✖ ${escapeHtml(message)}</p></div>`, null);
      }
    }

    stopCamera() {
      if (this.reader) {
        try {
          this.reader.reset();
        } catch (_error) { /* already stopped */ }
      }
      this.reader = null;
      this.videoBox.hidden = true;
      this.cameraButton.textContent = this.text.textCameraStart;
      this.input.focus();
    }
  }

  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  // HX-Trigger: "name", "a, b" or {"name": detail}; fired on the body like htmx does.
  function fire(header) {
    let events = {};
    try {
      const parsed = JSON.parse(header);
      events = typeof parsed === "string" ? { [parsed]: null } : parsed;
    } catch (_error) {
      for (const name of header.split(",")) if (name.trim()) events[name.trim()] = null;
    }
    for (const [name, detail] of Object.entries(events)) {
      if (window.htmx) {
        window.htmx.trigger(document.body, name, detail);
      } else {
        document.body.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));
      }
    }
  }

  let zxingLoading = null;
  function loadZxing(src) {
    if (window.ZXing) return Promise.resolve();
    zxingLoading = zxingLoading || new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve();
      script.onerror = () => {
        zxingLoading = null;
        reject(new Error("zxing"));
      };
      document.head.appendChild(script);
    });
    return zxingLoading;
  }

  const stations = [];
  function start() {
    for (const root of document.querySelectorAll("[data-scan-station]")) {
      if (!root.medtraceStation) {
        root.medtraceStation = new Station(root);
        stations.push(root.medtraceStation);
      }
    }
  }

  // A key typed while nothing has focus goes to the station, before the layout's handler
  // would send it to the header's search box.
  document.addEventListener(
    "keydown",
    (event) => {
      if (!stations.length) return;
      if (document.activeElement && document.activeElement !== document.body) return;
      if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
      stations[0].input.focus();
    },
    true,
  );

  window.MedtraceScanStation = { start, normalize, finished, newKey };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
