// The assessment workspace: autosave through htmx. Progressive enhancement only: without this file
// (or without JavaScript) every form posts normally and the page comes back at the indicator.
(function () {
  "use strict";

  var CARD = ".indicator-card";
  var ANSWER_FORM = "form.answer-form";

  // What each card's answer form held when its request left, by card id: after the new card is
  // swapped in, anything typed or clicked meanwhile is put back and saved (nothing is lost).
  var baselines = {};
  var carried = {};

  function messages() {
    var box = document.getElementById("assessment-indicators");
    return box ? box.dataset : {};
  }

  function cardOf(elt) {
    return elt && elt.closest ? elt.closest(CARD) : null;
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.id && el.name && el.type !== "hidden" && el.type !== "submit" && el.type !== "file";
    });
  }

  function isToggle(el) {
    return el.type === "radio" || el.type === "checkbox";
  }

  // The values now in the form, or (defaults) the values the server rendered into it.
  function state(form, defaults) {
    var values = {};
    fields(form).forEach(function (el) {
      if (isToggle(el)) {
        values[el.id] = defaults ? el.defaultChecked : el.checked;
      } else {
        values[el.id] = defaults ? el.defaultValue : el.value;
      }
    });
    return values;
  }

  function setStatus(card, text) {
    var status = card && card.querySelector(".save-status");
    if (status) status.textContent = text || "";
  }

  // 409 (someone else saved first) and 422 (invalid answer) come back as cards to show.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 409 || status === 422) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
    var card = evt.detail.target;
    if (!evt.detail.shouldSwap || !card || !card.matches || !card.matches(CARD)) return;
    var baseline = baselines[card.id];
    delete baselines[card.id];
    var form = card.querySelector(ANSWER_FORM);
    if (!form || !baseline) return;
    var now = state(form, false);
    var changed = {};
    var any = false;
    Object.keys(now).forEach(function (id) {
      if (now[id] !== baseline[id]) {
        changed[id] = now[id];
        any = true;
      }
    });
    // Put back later edits; save them again only after a successful save.
    if (any) carried[card.id] = { values: changed, resave: status === 200 };
  });

  document.addEventListener("htmx:load", function (evt) {
    var card = evt.target;
    if (!card.matches || !card.matches(CARD) || !carried[card.id]) return;
    var carry = carried[card.id];
    delete carried[card.id];
    var form = card.querySelector(ANSWER_FORM);
    if (!form) return;
    Object.keys(carry.values).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el || el.form !== form) return;
      if (isToggle(el)) el.checked = carry.values[id];
      else el.value = carry.values[id];
    });
    if (carry.resave) htmx.trigger(form, "change");
  });

  document.addEventListener("htmx:confirm", function (evt) {
    var form = evt.detail.elt;
    if (!form.matches || !form.matches(ANSWER_FORM)) return;
    var trigger = evt.detail.triggeringEvent;
    if (!trigger || trigger.type === "submit") return; // an explicit Save always goes
    var now = state(form, false);
    var rendered = state(form, true);
    var same = Object.keys(now).every(function (id) { return now[id] === rendered[id]; });
    if (same) {
      evt.preventDefault(); // nothing changed since the server rendered this answer
      return;
    }
    // Wait for what the answer still needs instead of showing an error at the first click.
    var text = messages();
    var na = form.querySelector("input[name=not_applicable]");
    var reason = form.querySelector("textarea[name=not_applicable_reason]");
    if (na && na.checked && reason && !reason.value.trim()) {
      evt.preventDefault();
      setStatus(cardOf(form), text.msgNeedsReason);
      return;
    }
    var rating = form.querySelector("input[name=rating]:checked");
    var justification = form.querySelector("textarea[name=justification]");
    if (!(na && na.checked) && rating && rating.hasAttribute("data-needs-justification") &&
        justification && !justification.value.trim()) {
      evt.preventDefault();
      setStatus(cardOf(form), text.msgNeedsJustification);
    }
  });

  document.addEventListener("htmx:configRequest", function (evt) {
    var card = cardOf(evt.detail.elt);
    if (!card) return;
    var form = card.querySelector(ANSWER_FORM);
    if (!form) return;
    // The answer form's request carries its values; other requests (evidence, suggestions)
    // leave the answer as the server last rendered it.
    baselines[card.id] = state(form, evt.detail.elt !== form);
    if (evt.detail.elt === form) setStatus(card, messages().msgSaving);
  });

  document.addEventListener("htmx:responseError", function (evt) {
    var card = cardOf(evt.detail.elt);
    if (!card) return;
    delete baselines[card.id];
    var text = (messages().msgFailed || "").replace("%s", String(evt.detail.xhr.status));
    setStatus(card, text);
  });

  document.addEventListener("htmx:sendError", function (evt) {
    var card = cardOf(evt.detail.elt);
    if (!card) return;
    delete baselines[card.id];
    setStatus(card, messages().msgOffline);
  });
})();
