// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  // Move focus to the error summary after a failed submission, so screen readers announce it.
  var summary = document.querySelector('[data-focus-on-load]');
  if (summary) summary.focus();

  // Municipality suggestions while typing, from the public JSON API, offered through a datalist.
  var inputs = document.querySelectorAll('[data-municipality-suggest]');
  Array.prototype.forEach.call(inputs, function (input, index) {
    var list = document.createElement('datalist');
    list.id = 'municipality-suggestions-' + index;
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
        fetch('/api/v1/municipalities?q=' + encodeURIComponent(q), { headers: { accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) {
            list.textContent = '';
            data.items.slice(0, 10).forEach(function (m) {
              var option = document.createElement('option');
              option.value = m.name;
              option.label = m.postcode + ' ' + m.name + ' (' + m.district.name + ')';
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are optional */ });
      }, 200);
    });
  });
})();
