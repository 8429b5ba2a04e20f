// Small progressive enhancements; the portal works without this file.
(function () {
  "use strict";
  // Screen readers read a live region's change only when the region was in the page
  // before it: a region that an htmx swap inserts is often read by none. So the text a
  // swap brings in and marks data-announce is copied into #announcer, a live region
  // present since the page loaded (see _frame.html).
  var seen = new WeakSet();
  var focusedBeforeSwap = null;
  function markPresent() {
    document.querySelectorAll("[data-announce]").forEach(function (el) { seen.add(el); });
  }
  // A message flashed after a redirect ("Added to your request: …") is in the page from
  // its first byte, where a live region says nothing. When nothing else has the focus
  // (a refused field claims it with autofocus), the focus moves to the message: a screen
  // reader reads it, and Tab goes on from there into the page rather than from the top.
  // Otherwise it is read out through #announcer once the page has loaded, as a swap's
  // words are (a swap's own words win).
  function sayOnceLoaded(words) {
    var region = document.getElementById("announcer");
    if (region) {
      window.setTimeout(function () {
        if (!region.textContent) { region.textContent = words.join(" "); }
      }, 300);
    }
  }
  // The element an address's #fragment names (a form's section after its redirect).
  function fragmentTarget() {
    var id = window.location.hash.slice(1);
    if (!id) { return null; }
    try { id = decodeURIComponent(id); } catch (error) { return null; }
    var target = document.getElementById(id);
    // #main (the skip link's) holds the message already: it stays where it is.
    var holder = document.getElementById("flashes");
    var apart = target && !target.closest("#flashes") && !(holder && target.contains(holder));
    return apart ? target : null;
  }
  // After a redirect to a section (/auth/profile#prefs-title), the browser's jump to it,
  // once the page has loaded, took the focus off the message at the top of the page and
  // scrolled it out of sight (WCAG 2.4.3, 4.1.3). The message moves to just before the
  // section, the focus goes to the section, and the words are read out through
  // #announcer: the focused heading and the message are each read once.
  function landAtFragment(target, flashes, words) {
    var box = document.createElement("div");
    box.className = "flashes-here";
    Array.prototype.forEach.call(flashes, function (el) { box.appendChild(el); });
    // Not inside a table's row or a folded <details>: before them.
    var before = target.closest("table, details") || target;
    before.parentNode.insertBefore(box, before);
    // A refused field's autofocus keeps the focus.
    var takesFocus = !document.querySelector("[autofocus]");
    if (takesFocus && !target.hasAttribute("tabindex") && target.tabIndex < 0) {
      target.setAttribute("tabindex", "-1");
    }
    function settle() {
      var focused = document.activeElement;
      if (takesFocus && (!focused || focused === document.body)) {
        target.focus({ preventScroll: true });
      }
      box.scrollIntoView({ block: "nearest" });
    }
    if (document.readyState === "complete") {
      window.setTimeout(settle, 0);
    } else {
      window.addEventListener("load", function () { window.setTimeout(settle, 0); });
    }
    sayOnceLoaded(words);
  }
  function announceFlashes() {
    var flashes = document.querySelectorAll("#flashes .flash");
    var words = Array.prototype.map.call(flashes,
      function (el) { return el.textContent.trim(); }).filter(Boolean);
    if (!words.length) { return; }
    var fragment = fragmentTarget();
    if (fragment) {
      landAtFragment(fragment, flashes, words);
      return;
    }
    var focused = document.activeElement;
    if (!focused || focused === document.body) {
      var target = flashes.length === 1 ? flashes[0] : document.getElementById("flashes");
      target.setAttribute("tabindex", "-1");
      target.focus();
      return;
    }
    sayOnceLoaded(words);
  }
  function onLoad() {
    markPresent();
    announceFlashes();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    focusedBeforeSwap = document.activeElement;
    // Fields a swap keeps as they were (hx-preserve) keep their attributes too: the
    // autofocus of an earlier refusal would take the focus from what the swap brings.
    event.detail.target.querySelectorAll("[autofocus]").forEach(function (el) {
      el.removeAttribute("autofocus");
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    var fresh = [];
    document.querySelectorAll("[data-announce]").forEach(function (el) {
      if (!seen.has(el)) { seen.add(el); fresh.push(el); }
    });
    // A control the swap took away (a button replaced by its result) would leave the
    // focus at the top of the page: it goes to what the swap says instead. htmx itself
    // keeps the focus on a control the swap brings back with the same id.
    var lost = focusedBeforeSwap && !focusedBeforeSwap.isConnected &&
      (!document.activeElement || document.activeElement === document.body);
    var focusedWords = null;
    if (lost && fresh.length) {
      fresh[0].setAttribute("tabindex", "-1");
      fresh[0].focus();
      if (document.activeElement === fresh[0]) { focusedWords = fresh[0]; }
    }
    // A message that took the focus is read because it is focused: copied into
    // #announcer as well, it would be read twice (RGAA 7.5). Only the words the focus
    // is not on go there.
    var spoken = fresh.filter(function (el) {
      return !focusedWords || !(focusedWords.contains(el) || el.contains(focusedWords));
    });
    var region = document.getElementById("announcer");
    // What the swap brought, named first (data-announce="first": a table's caption),
    // then the rest in the page's order.
    var named = spoken.filter(function (el) { return el.dataset.announce === "first"; });
    var ordered = named.concat(spoken.filter(function (el) { return named.indexOf(el) < 0; }));
    var words = ordered.map(function (el) { return el.textContent.trim(); }).filter(Boolean);
    if (region && fresh.length) {
      // Emptied first, so that the same words said twice (two equal logs) are read twice,
      // and so that an earlier swap's words do not linger next to a focused message.
      region.textContent = "";
      if (words.length) {
        window.setTimeout(function () { region.textContent = words.join(" "); }, 50);
      }
    }
    focusedBeforeSwap = null;
  });
  // An htmx request the network lost (a phone gone offline), or one left unanswered
  // (htmx.config.timeout in _frame.html, or a proxy's 502/504, which htmx does not swap),
  // would change nothing on the screen: the button seemed dead. While it is on its way,
  // the button that sent it is busy (aria-busy, dimmed by portal.css) and a second tap
  // or Enter sends nothing more; when it fails, the page says so where it shows its other
  // messages (#flashes, a live region since the page loaded) and the button works again.
  // aria-disabled, not disabled: a disabled button loses the focus to the page's top.
  function busyButtonOf(detail) {
    var event = detail.requestConfig && detail.requestConfig.triggeringEvent;
    var button = (event && event.submitter) || detail.elt;
    return button && button.matches && button.matches("button, input[type=submit]") ? button : null;
  }
  document.addEventListener("htmx:beforeSend", function (event) {
    var button = busyButtonOf(event.detail);
    if (!button || !event.detail.xhr) { return; }
    button.setAttribute("aria-busy", "true");
    button.setAttribute("aria-disabled", "true");
    event.detail.xhr.addEventListener("loadend", function () {
      button.removeAttribute("aria-busy");
      button.removeAttribute("aria-disabled");
    });
  });
  function stopWhileBusy(event) {
    var button = event.type === "submit" ? event.submitter : event.target.closest &&
      event.target.closest("button, input[type=submit]");
    var form = event.type === "submit" ? event.target : null;
    var busy = (button && button.getAttribute("aria-busy") === "true") ||
      (form && form.querySelector("[aria-busy=true]"));
    if (busy) {  // neither htmx nor the confirm dialog (further down) hears of it
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }
  document.addEventListener("click", stopWhileBusy, true);
  document.addEventListener("submit", stopWhileBusy, true);
  // Whether the browser knew itself offline when it sent a request: only then did nothing
  // leave. A connection that broke later may have carried the form to the server, which
  // saved it, and lost the answer: "nothing was saved" would then be false, and the retry
  // refused ("already received").
  document.addEventListener("htmx:beforeSend", function (event) {
    if (event.detail.xhr) { event.detail.xhr.portalSentOffline = navigator.onLine === false; }
  });
  function sayRequestFailed(event, kind) {
    var detail = event.detail;
    // A poll (hx-trigger="every 10s") fails without anyone having asked: it tries again.
    if (!detail.requestConfig || !detail.requestConfig.triggeringEvent) { return; }
    var reading = (detail.requestConfig.verb || "get").toLowerCase() === "get";
    if (kind === "lost" && !reading && !(detail.xhr && detail.xhr.portalSentOffline)) {
      kind = "cut";
    }
    var text = document.body.getAttribute(
      "data-htmx-" + kind + "-" + (reading ? "reading" : "sending"));
    var flashes = document.getElementById("flashes");
    if (!text || !flashes) { return; }
    var message = document.createElement("p");
    message.className = "flash flash-error";
    message.textContent = text;
    // Emptied first, so that the same words after a second try are read again.
    flashes.textContent = "";
    window.setTimeout(function () {
      flashes.appendChild(message);
      flashes.scrollIntoView({ block: "nearest" });
    }, 50);
  }
  document.addEventListener("htmx:sendError", function (event) { sayRequestFailed(event, "lost"); });
  document.addEventListener("htmx:timeout", function (event) { sayRequestFailed(event, "late"); });
  document.addEventListener("htmx:responseError", function (event) {
    sayRequestFailed(event, "late");
  });
  // A table box that scrolls sideways (a narrow screen) takes the focus, so that it
  // scrolls with the arrow keys too, and is named after its caption or the heading
  // above it; one that fits is no extra Tab stop.
  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption) { return caption.textContent.trim(); }
    for (var el = box; el && el !== document.body; el = el.parentElement) {
      for (var prev = el.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) { return prev.textContent.trim(); }
      }
    }
    return "";
  }
  function scrollBoxesFocusable(boxes) {
    boxes = Array.prototype.slice.call(boxes || document.querySelectorAll(".table-scroll"));
    // All read, then all written: one layout.
    var wide = boxes.map(function (box) { return box.scrollWidth > box.clientWidth + 1; });
    boxes.forEach(function (box, i) {
      if (wide[i]) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        var name = nameOf(box);
        if (name) { box.setAttribute("aria-label", name); }
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  // Again when a box or its table changes size (text spacing applied after load).
  var sizes = window.ResizeObserver && new ResizeObserver(function (entries) {
    scrollBoxesFocusable(entries.map(function (e) { return e.target.closest(".table-scroll"); }));
  });
  function watchScrollBoxes() {
    scrollBoxesFocusable();
    if (!sizes) { return; }
    sizes.disconnect();
    document.querySelectorAll(".table-scroll, .table-scroll table").forEach(function (el) {
      sizes.observe(el);
    });
  }
  document.addEventListener("DOMContentLoaded", watchScrollBoxes);
  document.addEventListener("htmx:afterSettle", watchScrollBoxes);
  window.addEventListener("resize", function () { scrollBoxesFocusable(); });
  // A form marked data-confirm asks first, in a modal dialog: data-confirm is the
  // question, data-confirm-yes and data-confirm-no the two answers. The focus starts on
  // "no" (the choice that changes nothing) and Escape is "no"; after "no" it returns to
  // the button that asked. Listening while the event goes down, before htmx's listener
  // on the form, stops the request until "yes". Without this script the form submits
  // at once, as it always did.
  //
  // data-confirm-fill names a field of the form whose value the question quotes in place
  // of "{value}" (the new end of a campaign: what it does with what was typed); a
  // date-time is written in full in data-confirm-locale. Empty, not after
  // data-confirm-after or after data-confirm-until, or within a span of
  // data-confirm-skipped (a time the clocks skip), nothing is asked: the server refuses
  // it at its field.
  //
  // The words around a date-time's day and time (« à 18 h », "at 18:00") are the
  // server's, in the page's language: <body data-moment> and data-moment-on-the-hour
  // (app/core/i18n.py, moment_patterns), so that the question reads as the server's
  // answer after it. {day} is the day written in full, {H} the hour, {HH} the hour on
  // two digits, {mm} the minutes.
  //
  // A date or a date-time that is none in the calendar's range (a five-digit year,
  // "20266-12-25T09:00", which the field lets one type and string order puts before the
  // bound) asks nothing either: the question would quote it raw, and the server refuses
  // it at its field once "yes" was pressed.
  var MOMENT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,3})?)?)?$/;
  function readableMoment(field) {
    var parts = MOMENT.exec(field.value);
    if (!parts || (field.type === "datetime-local") !== (parts[4] !== undefined)) {
      return false;
    }
    var year = +parts[1], month = +parts[2], day = +parts[3];
    var date = new Date(Date.UTC(year, month - 1, day));
    return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 &&
      date.getUTCDate() === day && (parts[4] === undefined || (+parts[4] < 24 && +parts[5] < 60));
  }
  // « 1er décembre », as the server writes the first of a month in French (first_of_month
  // in app/core/i18n.py); Intl writes « 1 décembre ».
  function firstOfMonth(text, dayOfMonth, language) {
    if (dayOfMonth !== 1 || !/^fr(?![a-z])/i.test(language || "")) { return text; }
    return text.replace(/(^|[^0-9])1(?= )/, "$11er");
  }
  function typedValue(field, locale) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(field.value);
    if (field.type !== "datetime-local" || !parts) { return field.value; }
    // The wall-clock time typed, as typed: read in UTC, no time zone moves it.
    var moment = new Date(Date.UTC(+parts[1], parts[2] - 1, +parts[3], +parts[4], +parts[5]));
    var language = locale || document.documentElement.lang || undefined;
    var pattern = document.body.getAttribute(
      +parts[5] ? "data-moment" : "data-moment-on-the-hour");
    try {
      if (!pattern) {
        return firstOfMonth(new Intl.DateTimeFormat(language,
          { dateStyle: "full", timeStyle: "short", timeZone: "UTC" }).format(moment),
          +parts[3], language);
      }
      var day = firstOfMonth(new Intl.DateTimeFormat(language,
        { dateStyle: "full", timeZone: "UTC" }).format(moment), +parts[3], language);
      var values = { day: day, H: String(+parts[4]), HH: parts[4], mm: parts[5] };
      return pattern.replace(/\{(day|HH|H|mm)\}/g, function (whole, name) { return values[name]; });
    } catch (error) {
      return field.value;
    }
  }
  // Today's date (YYYY-MM-DD) in the portal's time zone (<body data-time-zone>), not
  // the browser's.
  function todayInPortalZone() {
    var now = new Date();
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-US", {
        timeZone: document.body.getAttribute("data-time-zone") || "Europe/Paris",
        year: "numeric", month: "2-digit", day: "2-digit"
      }).formatToParts(now).forEach(function (part) { parts[part.type] = part.value; });
      return parts.year + "-" + parts.month + "-" + parts.day;
    } catch (error) {  // a zone this browser does not know: its own day
      return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
    }
  }
  function isMomentField(field) {
    return field.type === "datetime-local" || field.type === "date";
  }
  // A required field left empty (a wipe's method not chosen) asks nothing either: the
  // server refuses it at its field, before anything is signed.
  function requiredLeftEmpty(form) {
    var fields = form.querySelectorAll("[required]");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.disabled) { continue; }
      var empty = field.type === "radio" || field.type === "checkbox"
        ? !form.querySelector("[name='" + CSS.escape(field.name) + "']:checked")
        : !field.value.trim();
      if (empty) { return true; }
    }
    return false;
  }
  function questionOf(form, asking) {
    var text = asking.getAttribute("data-confirm");
    if (requiredLeftEmpty(form)) { return null; }
    // data-confirm-unless names fields this choice wants left empty (a device reused
    // inside the administration is handed to no organisation): one of them filled,
    // nothing is asked, and the server refuses it at its field before anything is signed.
    var unless = (asking.getAttribute("data-confirm-unless") || "").split(" ");
    for (var u = 0; u < unless.length; u++) {
      var kept = unless[u] && form.elements.namedItem(unless[u]);
      if (kept && kept.value && kept.value.trim()) { return null; }
    }
    var name = asking.getAttribute("data-confirm-fill");
    if (!name) { return text; }
    var field = form.elements.namedItem(name);
    if (!field || !field.value || !field.value.trim()) { return null; }
    // A value at or before data-confirm-after, or after data-confirm-until (a date-time
    // or a date, as the field writes it), is refused by the server at its field: asking
    // to confirm it would ask for nothing. They bound the field data-confirm-bounds
    // names, when it is not the one quoted (a wipe's date; its certificate is quoted).
    var bounded = form.elements.namedItem(asking.getAttribute("data-confirm-bounds") || name);
    if (isMomentField(field) && !readableMoment(field)) { return null; }
    if (bounded && isMomentField(bounded)) {
      if (!readableMoment(bounded)) { return null; }
      var after = asking.getAttribute("data-confirm-after");
      if (after && bounded.value <= after) { return null; }
      var until = asking.getAttribute("data-confirm-until");
      // A day until today: a page left open past midnight still asks about the new day.
      // Today in the portal's zone, as the server counts it: a browser in Auckland is a
      // day ahead of Paris every afternoon, and would ask about a day the server refuses.
      var today = todayInPortalZone();
      if (until && bounded.type === "date" && today > until) { until = today; }
      if (until && bounded.value > until) { return null; }
      // A local time the clocks skip (data-confirm-skipped: "from/to" pairs, 02:00/03:00
      // on the last Sunday of March in Paris) is refused at its field as well.
      var skipped = (asking.getAttribute("data-confirm-skipped") || "").split(" ");
      for (var s = 0; s < skipped.length; s++) {
        var span = skipped[s].split("/");
        if (span.length === 2 && bounded.value >= span[0] && bounded.value < span[1]) {
          return null;
        }
      }
    }
    var value = typedValue(field, asking.getAttribute("data-confirm-locale"));
    return text.split("{value}").join(value);
  }
  // What a form about one item of a list asks about ("Mail deleted, 3 Dec 2026, 10:00"):
  // the same words its page without scripts is titled with (confirm_without_script in
  // _macros.html puts them in data-confirm-about), said under the question.
  function aboutOf(form) {
    var marked = form.querySelector("[data-confirm-about]");
    return marked ? marked.getAttribute("data-confirm-about").trim() : "";
  }
  function askFirst(form, submitter, asking, text) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-labelledby", "confirm-question");
    var question = document.createElement("p");
    question.id = "confirm-question";
    question.textContent = text;
    dialog.append(question);
    var about = aboutOf(form);
    if (about) {
      // Read with the question, as the dialog's description, before the focused answer.
      var item = document.createElement("p");
      item.id = "confirm-about";
      item.className = "confirm-about";
      item.textContent = about;
      dialog.setAttribute("aria-describedby", item.id);
      dialog.append(item);
    }
    var answers = document.createElement("form");
    answers.method = "dialog";
    answers.className = "confirm-answers";
    function answer(value) {
      var button = document.createElement("button");
      button.value = value;
      button.textContent = asking.getAttribute("data-confirm-" + value);
      return button;
    }
    var no = answer("no");
    var yes = answer("yes");
    yes.className = "danger";
    answers.append(no, yes);
    dialog.append(answers);
    dialog.addEventListener("close", function () {
      var confirmed = dialog.returnValue === "yes";
      dialog.remove();
      if (submitter && submitter.isConnected) { submitter.focus(); }
      if (confirmed) {
        form.setAttribute("data-confirmed", "");
        if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
      }
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    no.focus();
  }
  // data-confirm-needs names a box this choice needs ticked whenever a box ticked in the
  // form is marked data-needs with its name (a donation of devices wiped on their owner's
  // word only needs the agent to say they checked them). Left unticked, nothing is asked:
  // a question answered "yes" would only be refused. Its error, data-confirm-needs-error
  // ("{receipts}" for the values of the boxes concerned), is said at the box, as the
  // server says it there, and the box takes the focus. The server still checks it.
  function boxStillNeeded(form, asking) {
    var name = asking.getAttribute("data-confirm-needs");
    var box = name && form.elements.namedItem(name);
    if (!box || box.type !== "checkbox" || box.checked) { return false; }
    var concerned = form.querySelectorAll("[data-needs='" + CSS.escape(name) + "']:checked");
    if (!concerned.length) { return false; }
    var values = Array.prototype.map.call(concerned, function (item) { return item.value; });
    var text = (asking.getAttribute("data-confirm-needs-error") || "")
      .split("{receipts}").join(values.join(", "));
    var errorId = box.id + "-error";
    var error = document.getElementById(errorId);
    if (!error) {
      error = document.createElement("p");
      error.className = "error";
      error.id = errorId;
      var option = box.closest(".option") || box;
      option.parentNode.insertBefore(error, option);
    }
    error.textContent = text;
    var field = box.closest(".field");
    if (field) { field.classList.add("field-error"); }
    var described = (box.getAttribute("aria-describedby") || "").split(" ").filter(
      function (id) { return id && id !== errorId; });
    box.setAttribute("aria-describedby", [errorId].concat(described).join(" "));
    box.setAttribute("aria-invalid", "true");
    box.focus();
    return true;
  }
  // The question may sit on the button that submits (one button of a shared form, such
  // as "Grant" Administrator among the other roles) or on the whole form.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    // The question for browsers without scripts (hidden fields in <noscript>) is this
    // script's to ask. A fragment htmx swapped in was parsed with scripting off, so its
    // <noscript> holds real fields: they must not go with the form.
    var forScriptless = form.querySelectorAll("noscript [name^='ask_first']");
    for (var i = 0; i < forScriptless.length; i++) { forScriptless[i].remove(); }
    var asking = submitter && submitter.hasAttribute("data-confirm") ? submitter : form;
    if (!asking.hasAttribute("data-confirm")) { return; }
    if (form.hasAttribute("data-confirmed")) {
      form.removeAttribute("data-confirmed");
      return;
    }
    var text = questionOf(form, asking);
    if (text === null) { return; }
    event.preventDefault();
    event.stopPropagation();
    if (boxStillNeeded(form, asking)) { return; }
    askFirst(form, submitter, asking, text);
  }, true);
  // A search, a filter or a tab that changes the address in place (hx-push-url) leaves
  // the language button's way back on the address the page was loaded with: it follows
  // the address instead (as an attribute, which htmx's snapshot of the page keeps for Back).
  function comeBackHere(event) {
    var path = event.detail && event.detail.path;
    if (!path) { return; }
    document.querySelectorAll(".lang-switch input[name=next]").forEach(function (input) {
      input.value = path;
      input.setAttribute("value", path);
    });
  }
  document.addEventListener("htmx:pushedIntoHistory", comeBackHere);
  document.addEventListener("htmx:replacedInHistory", comeBackHere);
  // A part that asks again by itself (hx-trigger "every 10s": a dispatch's progress, a
  // receipt waiting for its agent) asks nothing while its tab is hidden: a tab left in
  // the background sent its request every few seconds for nobody, and kept the session
  // alive. A trigger filter (`every 10s [!document.hidden]`) would need htmx to evaluate
  // code, which the CSP and htmx.config.allowEval forbid. Such a request has no
  // triggering event (a click or a submit has one). When the tab shows again, each part
  // that missed a turn asks once, at once, rather than at its next turn.
  var missedPolls = new Set();
  function isPoll(detail) {
    var elt = detail.elt;
    var trigger = elt && elt.getAttribute ? elt.getAttribute("hx-trigger") || "" : "";
    // htmx:beforeRequest gives the event in requestConfig, htmx:configRequest directly.
    var triggering = detail.triggeringEvent || (detail.requestConfig && detail.requestConfig.triggeringEvent);
    return /(^|,)\s*every\s/.test(trigger) && !triggering;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!document.hidden || !isPoll(event.detail)) { return; }
    event.preventDefault();
    missedPolls.add(event.detail.elt);
  });
  // An answer saying the session has ended (app/core/errors.py, in #flashes) is read out
  // there; the focus goes to its "Sign in" link, at the top of the page, far from the
  // button pressed, rather than stay on a form that can no longer be sent.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var link = target && target.id === "flashes" ? target.querySelector("#sign-in-again") : null;
    if (link) { link.focus(); }
  });
  // A poll is nobody's activity: it says so (X-Poll), and the session's idle time
  // (SESSION_IDLE_MINUTES) runs on through it on a page left open.
  document.addEventListener("htmx:configRequest", function (event) {
    if (isPoll(event.detail)) { event.detail.headers["X-Poll"] = "1"; }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden || !window.htmx) { return; }
    var missed = Array.from(missedPolls);
    missedPolls.clear();
    missed.forEach(function (elt) {
      var verb = ["get", "post", "put", "patch", "delete"].find(function (name) {
        return elt.hasAttribute("hx-" + name);
      });
      if (!verb || !elt.isConnected) { return; }
      // From the part itself: its target, its swap and its values, as its poll has them.
      window.htmx.ajax(verb.toUpperCase(), elt.getAttribute("hx-" + verb), { source: elt });
    });
  });
  // A form marked data-push-on-submit changes the address as it is filled in (typing, a
  // choice in a list) without a Back step for each: only sending it adds one.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form[data-push-on-submit]")) { return; }
    var sent = event.detail.triggeringEvent && event.detail.triggeringEvent.type === "submit";
    // Read by htmx when the answer comes: a "false" push would stop the replace too.
    form.setAttribute(sent ? "hx-push-url" : "hx-replace-url", "true");
    form.removeAttribute(sent ? "hx-replace-url" : "hx-push-url");
  });
  // Elements marked data-autosubmit submit their form when changed (no inline script).
  document.addEventListener("change", function (event) {
    var el = event.target.closest("[data-autosubmit]");
    if (el && el.form && !window.htmx) { el.form.requestSubmit(); }
  });
  // A bar marked data-ticked-for (the catalogue's compare bar) counts the boxes of that
  // form ticked, one per value (an item ticked in the listing and kept apart is one), as
  // they are ticked: its data-ticked (portal.css keeps the bar in view once one is), its
  // [data-ticked-count], and its [data-ticked-words] read out politely through #announcer.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || !box.form || !box.form.id) { return; }
    var bar = document.querySelector("[data-ticked-for='" + CSS.escape(box.form.id) + "']");
    if (!bar) { return; }
    var ticked = {};
    Array.prototype.forEach.call(box.form.elements, function (el) {
      if (el.type === "checkbox" && el.name === box.name && el.checked) { ticked[el.value] = true; }
    });
    var count = String(Object.keys(ticked).length);
    bar.setAttribute("data-ticked", count);
    bar.querySelectorAll("[data-ticked-count]").forEach(function (el) { el.textContent = count; });
    var words = bar.querySelector("[data-ticked-words]");
    // Past the ticks kept (data-ticked-limit), the bar says so at once, and that is read.
    var over = bar.querySelector("[data-ticked-over]");
    var limit = parseInt(bar.getAttribute("data-ticked-limit"), 10);
    if (over && limit) {
      over.hidden = Object.keys(ticked).length <= limit;
      if (!over.hidden) { words = over; }
    }
    var region = document.getElementById("announcer");
    if (words && region) {
      region.textContent = "";
      window.setTimeout(function () { region.textContent = words.textContent.trim(); }, 50);
    }
  });
  // A disclosure marked data-open-wide (the catalogue's filters) is open on a wide screen:
  // portal.css shows its content there already (no jump), this says so to assistive
  // technologies and to the keyboard. On a phone it stays folded, as the page sent it.
  function openWhenWide(root) {
    if (!window.matchMedia("(min-width: 40.0625rem)").matches) { return; }
    root.querySelectorAll("details[data-open-wide]").forEach(function (el) { el.open = true; });
  }
  document.addEventListener("htmx:load", function (event) { openWhenWide(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { openWhenWide(document); });
  } else {
    openWhenWide(document);
  }
  // A [data-print] button prints the page (a poster on a phone, which has no print key);
  // hidden until then, as it does nothing without this file.
  function offerPrint() {
    document.querySelectorAll("[data-print]").forEach(function (el) { el.hidden = false; });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", offerPrint);
  } else {
    offerPrint();
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
  // A text only this file keeps true (the log form's unit hint, which htmx follows with
  // the chosen action) is hidden until then, and its script-less wording goes: without
  // scripts, the hint of the first action stayed under the field whatever was chosen.
  function keepScriptTexts(root) {
    root.querySelectorAll("[data-script-only]").forEach(function (el) { el.hidden = false; });
    root.querySelectorAll("[data-scriptless]").forEach(function (el) { el.remove(); });
  }
  document.addEventListener("htmx:load", function (event) { keepScriptTexts(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { keepScriptTexts(document); });
  } else {
    keepScriptTexts(document);
  }
})();
// Language switch: what the person typed survives it. The switch is a POST that comes
// back to the same page in the other language, drawn afresh by the server: the values
// of the page's forms (a refused form shown again, or fields changed since the page
// loaded) are kept in sessionStorage, keyed by the page the switch returns to, then put
// back into the same fields (same form address, same field name) once that page has
// loaded, and the copy is cleared. Never passwords, hidden fields (CSRF and form tokens),
// nor files; nothing is announced and the focus does not move.
(function () {
  "use strict";
  var PREFIX = "empreinte:typed:";
  var SKIPPED = { password: 1, hidden: 1, file: 1, submit: 1, button: 1, reset: 1, image: 1 };
  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }
  function kept(el) {
    var tag = el.tagName;
    if (!el.name || el.name === "csrf_token" || el.disabled) { return false; }
    if (tag === "TEXTAREA" || tag === "SELECT") { return true; }
    return tag === "INPUT" && !SKIPPED[(el.type || "text").toLowerCase()];
  }
  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, kept);
  }
  // A form is known by its address (as the browser resolves it) and its rank among the
  // page's forms with that address.
  function formKeys() {
    var seen = {};
    return Array.prototype.map.call(document.querySelectorAll("main form"), function (form) {
      var address = new URL(form.getAttribute("action") || "", window.location.href).pathname;
      seen[address] = (seen[address] || 0) + 1;
      return { form: form, key: address + "#" + seen[address] };
    });
  }
  function changed(el) {
    if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.value !== el.defaultValue;
  }
  // A form refused and shown again is kept whole (what the server shows is what the
  // person sent); another, only the fields the person changed here: the others may be
  // the server's own values, which the switch can change (the profile's language).
  function valuesOf(form) {
    var values = {};
    var whole = form.querySelector("[aria-invalid='true']");
    var names = {};
    fieldsOf(form).forEach(function (el) { if (whole || changed(el)) { names[el.name] = true; } });
    fieldsOf(form).forEach(function (el) {
      if (!names[el.name]) { return; }
      var list = values[el.name] || (values[el.name] = []);
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { list.push(el.value); }
      } else if (el.tagName === "SELECT") {
        list.push(Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; }));
      } else {
        list.push(el.value);
      }
    });
    return values;
  }
  function pageKey(next) {
    var url = new URL(next || window.location.href, window.location.href);
    return PREFIX + url.pathname + url.search;
  }
  document.addEventListener("submit", function (event) {
    var switcher = event.target;
    var store = storage();
    if (!store || !switcher.classList || !switcher.classList.contains("lang-switch")) { return; }
    var forms = formKeys();
    var refused = document.querySelector("main [aria-invalid='true'], main .error-summary");
    var touched = forms.some(function (f) { return fieldsOf(f.form).some(changed); });
    if (!forms.length || !(refused || touched)) { return; }
    var copy = {};
    forms.forEach(function (f) {
      var values = valuesOf(f.form);
      if (Object.keys(values).length) { copy[f.key] = values; }
    });
    var next = switcher.querySelector("input[name='next']");
    try {
      store.setItem(pageKey(next && next.value), JSON.stringify(copy));
    } catch (e) { /* storage full or refused: the switch goes on without the copy */ }
  }, true);
  function putBack(form, values) {
    var rank = {};
    fieldsOf(form).forEach(function (el) {
      var list = values[el.name];
      if (!list) { return; }
      var before = el.type === "checkbox" || el.type === "radio" ? el.checked : el.value;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = list.indexOf(el.value) >= 0;
      } else {
        var index = rank[el.name] = (rank[el.name] || 0) + 1;
        var value = list[index - 1];
        if (value === undefined) { return; }
        if (el.tagName === "SELECT") {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) >= 0; });
        } else {
          el.value = value;
        }
      }
      var after = el.type === "checkbox" || el.type === "radio" ? el.checked : el.value;
      // What follows a field (the accepted types of a chosen point, a counter) follows it
      // again; a field that submits its form when changed is left alone.
      if (before !== after && !el.closest("[data-autosubmit]")) {
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }
  function restore() {
    var store = storage();
    if (!store) { return; }
    var keys = [pageKey(null), PREFIX + window.location.pathname];
    keys.forEach(function (key) {
      var text = store.getItem(key);
      if (text === null) { return; }
      store.removeItem(key);
      var copy;
      try { copy = JSON.parse(text); } catch (e) { return; }
      formKeys().forEach(function (f) {
        if (copy && copy[f.key]) { putBack(f.form, copy[f.key]); }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    restore();
  }
  // Also for a form sent once its session had ended (next section).
  window.portalTypedValues = { valuesOf: valuesOf, putBack: putBack };
})();
// What was typed survives the end of a session. A form sent once its session had ended
// gets an answer holding [data-draft-kept] (htmx's: X-Form-Expired; app/core/errors.py).
// Its fields are then kept in this tab's sessionStorage only, keyed by the form's address
// (a plain form's copy taken when sent, dropped unless that is the answer), and put back
// on a page with that form of the same person (data-draft-owner), #flashes saying so.
// Dropped once put back, after a day, for someone else, and on signing out. Never
// passwords, hidden fields or files (valuesOf, above), nor forms marked data-no-draft.
(function () {
  "use strict";
  var PREFIX = "empreinte:draft:";
  var DAY = 24 * 60 * 60 * 1000;
  var typed = window.portalTypedValues;
  var store = null;
  try { store = window.sessionStorage; } catch (e) { /* refused: nothing is kept */ }
  if (!store || !typed) { return; }
  function owner() { return document.body.getAttribute("data-draft-owner") || ""; }
  function keyOf(form) {
    var action = form.getAttribute("action") || form.getAttribute("hx-post") || "";
    return PREFIX + new URL(action, window.location.href).pathname;
  }
  function copied(form) {
    return !!form && form.tagName === "FORM" && !form.hasAttribute("data-no-draft") &&
      (form.method === "post" || form.hasAttribute("hx-post"));
  }
  function formsOf(key) {
    return Array.prototype.filter.call(document.querySelectorAll("main form"), function (form) {
      return copied(form) && keyOf(form) === key;
    });
  }
  function drafts() {  // [key, copy], a copy unreadable as null
    return Object.keys(store).filter(function (key) { return key.indexOf(PREFIX) === 0; })
      .map(function (key) {
        try { return [key, JSON.parse(store.getItem(key))]; } catch (e) { return [key, null]; }
      });
  }
  function keep(form, state) {
    var values = owner() && copied(form) ? typed.valuesOf(form) : {};
    if (!Object.keys(values).length) { return false; }
    var copy = { state: state, owner: owner(), at: Date.now(), values: values,
      rank: formsOf(keyOf(form)).indexOf(form) };
    try {
      store.setItem(keyOf(form), JSON.stringify(copy));
      return true;
    } catch (e) {  // storage full: the form goes as it always did
      return false;
    }
  }
  // htmx's forms, and those a question stopped (data-confirm), are not sent here.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-forget-drafts")) {
      drafts().forEach(function (d) { store.removeItem(d[0]); });
    } else if (!event.defaultPrevented && copied(form)) {
      drafts().forEach(function (d) {
        if (!d[1] || d[1].state === "sent" || d[0] === keyOf(form)) { store.removeItem(d[0]); }
      });
      keep(form, "sent");
    }
  });
  // The page stays: its next load (with a fresh token) puts the copies back, or drops them.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || !xhr.getResponseHeader("X-Form-Expired")) { return; }
    var kept = Array.prototype.filter.call(document.querySelectorAll("main form"),
      function (form) { return keep(form, "kept"); });
    var note = document.querySelector("#flashes [data-draft-kept]");
    if (kept.length && note) { note.hidden = false; }
  });
  function onLoad() {
    var note = document.querySelector("[data-draft-kept]");
    var me = owner();
    var restored = null;
    drafts().forEach(function (d) {
      var copy = d[1];
      var forms = formsOf(d[0]);
      if (!copy || !(Date.now() - copy.at < DAY) || (copy.state === "sent" && !note)) {
        store.removeItem(d[0]);
      } else if (copy.state === "sent") {
        copy.state = "kept";
        store.setItem(d[0], JSON.stringify(copy));
        note.hidden = false;
      } else if (me && forms.length) {  // not on a visitor's page (signing in)
        store.removeItem(d[0]);
        if (copy.owner === me) {
          restored = forms[copy.rank] || forms[0];
          typed.putBack(restored, copy.values || {});
        }
      }
    });
    var words = document.body.getAttribute("data-draft-restored");
    if (restored && words) {
      // Said just above the form put back, which takes the focus there: on a page of
      // several forms (the profile) it names which, and a form three screens down (the
      // log form) is in view, where "#flashes" at the top of the page told of it from afar.
      var message = document.createElement("p");
      message.id = "draft-restored";
      message.className = "flash flash-info";
      message.setAttribute("tabindex", "-1");
      message.textContent = words;
      restored.parentNode.insertBefore(message, restored);
      // Once loaded, and after a "signed in" message took the focus (announceFlashes):
      // this one is what the person came back for.
      window.setTimeout(function () {
        var focused = document.activeElement;
        if (!focused || focused === document.body || focused.closest("#flashes")) {
          message.focus();
        }
      }, 300);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }
})();
