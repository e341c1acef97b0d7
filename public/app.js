// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // Move focus to the error summary after a failed submission, so screen readers announce it.
  var summary = document.querySelector('[data-focus-on-load]');
  if (summary) summary.focus();

  // SAML hand-over pages (to the identity provider and back): send the form at once; without
  // JavaScript the visible "Weiter" button does the same.
  var autoSubmit = document.querySelector('form[data-auto-submit]');
  if (autoSubmit) autoSubmit.submit();

  // Suggestions while typing, from the public JSON API, offered through a native datalist (keyboard
  // and screen readers handle it like any other input suggestion).
  function suggest(selector, prefix, url, label) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (input, index) {
      var list = document.createElement('datalist');
      list.id = prefix + index;
      input.setAttribute('list', list.id);
      input.parentNode.appendChild(list);
      var timer;
      var lastQuery = '';
      input.addEventListener('input', function () {
        clearTimeout(timer);
        var q = input.value.trim();
        if (q.length < 2 || q === lastQuery) return;
        timer = setTimeout(function () {
          lastQuery = q;
          fetch(url(q), { headers: { accept: 'application/json' } })
            .then(function (r) { return r.ok ? r.json() : { items: [] }; })
            .then(function (data) {
              list.textContent = '';
              data.items.slice(0, 8).forEach(function (item) {
                var option = document.createElement('option');
                option.value = item.name;
                var text = label(item);
                if (text) option.label = text;
                list.appendChild(option);
              });
            })
            .catch(function () { /* suggestions are optional */ });
        }, 200);
      });
    });
  }
  suggest('[data-service-suggest]', 'service-suggestions-', function (q) {
    return '/api/v1/services?limit=8&q=' + encodeURIComponent(q);
  }, function (item) { return item.topic || ''; });

  suggest('[data-municipality-suggest]', 'municipality-suggestions-', function (q) {
    return '/api/v1/municipalities?q=' + encodeURIComponent(q);
  }, function (m) { return m.postcode + ' ' + m.name + ' (' + m.district.name + ')'; });

  // Conditional questions of an application step, shown and hidden as the answers change. The page
  // holds every conditional item in its place (hidden ones with the `hidden` attribute, their inputs
  // disabled); the server's form engine decides which are shown and required (`data-conditions`
  // names the endpoint), so no rule is evaluated here. Without this script, the step is posted and
  // shown again with the new questions.
  var conditionsForm = document.querySelector('form[data-conditions]');
  if (conditionsForm && window.fetch && window.URLSearchParams && window.FormData) followConditions(conditionsForm);

  function followConditions(form) {
    var status = document.querySelector('[data-conditions-status]');
    // Tells the server, with the step, that the page shows what the conditions decide for its
    // answers: questions that appeared meanwhile were seen, so they are not listed again as new.
    var live = document.createElement('input');
    live.type = 'hidden';
    live.name = '_live';
    live.value = '';
    form.appendChild(live);
    var timer;
    var latest = 0;

    form.addEventListener('change', function (event) {
      var name = event.target && event.target.name;
      if (!name || name.charAt(0) === '_' || event.target.type === 'file') return;
      live.value = '';
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });

    function ask() {
      var request = ++latest;
      var body = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (typeof value === 'string' && name !== '_action' && name !== '_live') body.append(name, value);
      });
      fetch(form.getAttribute('data-conditions'), { method: 'POST', body: body, credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        // Only the answer to the newest request counts: an older one may arrive later.
        .then(function (states) { if (states && request === latest) apply(states); })
        .catch(function () { /* the step is checked when it is posted */ });
    }

    function apply(states) {
      var visible = lookup(states.visible);
      var required = lookup(states.required);
      var shown = 0;
      var hidden = 0;
      each(form.querySelectorAll('[data-condition]'), function (item) {
        var show = visible[item.getAttribute('data-condition')] === true;
        if (item.hidden !== show) return;
        item.hidden = !show;
        if (show) shown++; else hidden++;
      });
      // Inputs of hidden questions are not sent, as when the server renders them hidden.
      each(form.querySelectorAll('[data-condition] input, [data-condition] select, [data-condition] textarea, [data-condition] button'), function (input) {
        input.disabled = input.closest('[data-condition][hidden]') !== null;
      });
      each(form.querySelectorAll('[data-required-if]'), function (field) {
        markRequired(field, required[field.getAttribute('data-required-if')] === true);
      });
      live.value = '1';
      if (status && (shown || hidden)) announce(status.getAttribute(shown ? 'data-shown-text' : 'data-hidden-text'));
    }

    // As the server renders it: "(optional)" after the label, or aria-required on the inputs that take it.
    function markRequired(field, on) {
      var optional = field.querySelector('.optional');
      if (optional) optional.hidden = on;
      var uploaded = field.querySelector('.uploaded') !== null;
      each(field.querySelectorAll('input:not([type=radio]):not([type=checkbox]), select, textarea'), function (input) {
        if (on && !(input.type === 'file' && uploaded)) input.setAttribute('aria-required', 'true');
        else input.removeAttribute('aria-required');
      });
    }

    // Emptied first, so that the same message is read out again.
    function announce(text) {
      status.textContent = '';
      setTimeout(function () { status.textContent = text; }, 100);
    }
  }

  function lookup(list) {
    var set = Object.create(null);
    (list || []).forEach(function (id) { set[id] = true; });
    return set;
  }

  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }
})();
