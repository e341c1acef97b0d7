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
})();
