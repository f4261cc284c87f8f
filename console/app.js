// The cdrd web console (docs/console.md): a single page that reads one account through cdrd's
// public APIs with fetch(). No framework, no inline code (the page's Content-Security-Policy
// allows only this file), no third-party code. The credentials stay in sessionStorage and go
// only into the Authorization header, never into a URL.
'use strict';

(function () {
  const SESSION_KEY = 'cdrd.console.session';
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const $ = (id) => document.getElementById(id);

  // ---- Session -----------------------------------------------------------------------------
  // {mode: 'account', auth_id, token} or {mode: 'operator', key, auth_id (the picked account)}.
  function loadSession() {
    try {
      return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    } catch (e) {
      return null;
    }
  }
  function saveSession(s) {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(SESSION_KEY);
  }
  let session = loadSession();

  function authorization() {
    if (!session) return '';
    if (session.mode === 'operator') return 'Bearer ' + session.key;
    // btoa takes Latin-1: encode the UTF-8 bytes first.
    const raw = session.auth_id + ':' + session.token;
    return 'Basic ' + btoa(String.fromCharCode(...new TextEncoder().encode(raw)));
  }

  function accountBase() {
    return '/v1/Account/' + encodeURIComponent(session.auth_id) + '/Zentrunk/';
  }

  // GET a JSON resource; throws an Error with the server's message on any other status.
  async function api(path) {
    const response = await fetch(path, {
      headers: {Authorization: authorization(), Accept: 'application/json'},
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const message = body && (body.error || body.message);
      const err = new Error(message || 'HTTP ' + response.status);
      err.status = response.status;
      throw err;
    }
    return body;
  }

  // ---- Small DOM helpers -------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
    }
    return node;
  }
  function fill(tbody, rows) {
    tbody.replaceChildren(...rows);
  }
  function emptyRow(columns, text) {
    return el('tr', {class: 'empty'}, el('td', {colspan: String(columns)}, text));
  }
  function fieldRows(tbody, pairs) {
    fill(tbody, pairs.map(([k, v]) => el('tr', {}, el('th', {}, k),
        el('td', {}, v === null || v === undefined ? '—' : String(v)))));
  }
  function showError(message) {
    const box = $('error');
    box.textContent = message || '';
    box.hidden = !message;
  }
  function showView(name) {
    for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== 'view-' + name;
    for (const a of document.querySelectorAll('#nav a')) {
      a.classList.toggle('active', a.id === 'nav-' + name ||
          (name === 'call' && a.id === 'nav-calls'));
    }
  }
  const numberFormat = new Intl.NumberFormat('en');

  // ---- Sign-in -----------------------------------------------------------------------------
  function renderHeader() {
    const signedIn = !!(session && session.auth_id);
    $('nav').hidden = !signedIn;
    $('who').hidden = !session;
    $('switch-account').hidden = !(session && session.mode === 'operator' && session.auth_id);
    if (session) {
      $('who-account').textContent = session.mode === 'operator'
          ? 'operator' + (session.auth_id ? ' · ' + session.auth_id : '')
          : session.auth_id;
    }
  }

  async function signInAccount(event) {
    event.preventDefault();
    const auth_id = $('auth-id').value.trim();
    const token = $('auth-token').value;
    session = {mode: 'account', auth_id, token};
    try {
      await api(accountBase() + 'Call/?limit=1');
    } catch (e) {
      session = null;
      showError('Sign-in failed: ' + e.message);
      return;
    }
    $('auth-token').value = '';
    saveSession(session);
    showError('');
    go('#calls');
  }

  async function signInOperator(event) {
    event.preventDefault();
    session = {mode: 'operator', key: $('operator-key').value, auth_id: ''};
    try {
      await api('/v1/Account/');
    } catch (e) {
      session = null;
      showError('Sign-in failed: ' + e.message);
      return;
    }
    $('operator-key').value = '';
    saveSession(session);
    showError('');
    go('#accounts');
  }

  function signOut() {
    session = null;
    saveSession(null);
    calls.offset = 0;
    go('');
  }

  async function showAccounts() {
    showView('accounts');
    const data = await api('/v1/Account/');
    const rows = data.objects.map((a) => {
      const link = el('a', {href: '#calls', class: 'pick', dataset: {authId: a.auth_id}}, a.name);
      return el('tr', {}, el('td', {}, link), el('td', {}, el('code', {}, a.auth_id)),
          el('td', {}, a.created_at));
    });
    fill($('accounts-rows'), rows.length ? rows : [emptyRow(3, 'no accounts')]);
  }

  function pickAccount(event) {
    const link = event.target.closest('a.pick');
    if (!link) return;
    event.preventDefault();
    session.auth_id = link.dataset.authId;
    saveSession(session);
    calls.offset = 0;
    go('#calls');
  }

  // ---- Calls -------------------------------------------------------------------------------
  const calls = {offset: 0, limit: 20, total: 0, params: new URLSearchParams()};

  function filterParams() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData($('filters'))) {
      const v = String(value).trim();
      if (v !== '' && name !== 'limit') params.append(name, v);
    }
    return params;
  }

  async function loadCalls() {
    showView('calls');
    calls.limit = Number($('filters').elements.limit.value);
    const params = new URLSearchParams(calls.params);
    params.set('limit', String(calls.limit));
    params.set('offset', String(calls.offset));
    const data = await api(accountBase() + 'Call/?' + params.toString());
    calls.total = data.meta.total_count;
    $('count').textContent = numberFormat.format(calls.total) +
        (calls.total === 1 ? ' call' : ' calls');
    $('count').dataset.total = String(calls.total);
    const first = data.objects.length ? calls.offset + 1 : 0;
    const last = calls.offset + data.objects.length;
    $('range').textContent = data.objects.length
        ? numberFormat.format(first) + '–' + numberFormat.format(last) : '';
    $('prev-page').disabled = calls.offset === 0;
    $('next-page').disabled = data.meta.next === null;
    const rows = data.objects.map((c) => el('tr', {class: 'call', dataset: {uuid: c.call_uuid}},
        el('td', {}, c.end_time),
        el('td', {}, c.call_direction),
        el('td', {}, c.from_number),
        el('td', {}, c.to_number),
        el('td', {class: 'num'}, c.call_duration + ' s'),
        el('td', {class: 'num'}, c.bill_duration + ' s'),
        el('td', {class: 'num'}, c.total_amount),
        el('td', {}, c.hangup_cause_name),
        el('td', {}, el('code', {}, c.call_uuid))));
    fill($('calls-rows'), rows.length ? rows : [emptyRow(9, 'no calls match')]);
  }

  function applyFilters(event) {
    event.preventDefault();
    calls.params = filterParams();
    calls.offset = 0;
    run(loadCalls);
  }

  function clearFilters() {
    $('filters').reset();
    calls.params = new URLSearchParams();
    calls.offset = 0;
    run(loadCalls);
  }

  function page(delta) {
    calls.offset = Math.max(0, calls.offset + delta * calls.limit);
    run(loadCalls);
  }

  function openCall(event) {
    const row = event.target.closest('tr.call');
    if (row) location.hash = '#call/' + encodeURIComponent(row.dataset.uuid);
  }

  // ---- One call ----------------------------------------------------------------------------
  const CALL_FIELDS = ['call_uuid', 'call_direction', 'from_number', 'to_number',
    'initiation_time', 'answer_time', 'end_time', 'call_duration', 'bill_duration',
    'total_rate', 'total_amount', 'hangup_cause_name', 'hangup_cause_code', 'hangup_source',
    'trunk_domain', 'from_country', 'to_country', 'transport_protocol', 'srtp',
    'secure_trunking', 'secure_trunking_rate', 'stir_verification', 'attestation_indicator',
    'call_id', 'cnam_lookup', 'cnam_lookup_rate'];

  async function loadCall(uuid) {
    showView('call');
    $('call-uuid').textContent = uuid;
    const base = accountBase() + 'Call/' + encodeURIComponent(uuid) + '/';
    const [call, insights, legs] = await Promise.all(
        [api(base), api(base + 'Insights/'), api(base + 'Legs/')]);
    fieldRows($('call-fields'), CALL_FIELDS.map((k) => [k, call[k]]));
    $('insights-score').textContent = insights.plivo_quality_score || 'none (no media metrics)';
    const party = (p) => [p.number, p.carrier, p.region].filter((x) => x).join(' · ');
    fieldRows($('insights-fields'), [
      ['from', party(insights.from)],
      ['to', party(insights.to)],
      ['hangup cause', insights.hangup_cause],
      ['hangup source', insights.hangup_source],
      ['round-trip time (ms)', insights.rtt],
      ['jitter (ms)', insights.jitter],
      ['packet loss (%)', insights.packet_loss],
      ['post-dial delay (ms)', insights.post_dial_delay],
    ]);
    $('legs-count').textContent = '(' + legs.objects.length + ')';
    const rows = legs.objects.map((l) => el('tr', {class: 'leg'},
        el('td', {}, l.extension_name), el('td', {}, l.extension_type),
        el('td', {}, l.to_username), el('td', {}, l.from_username), el('td', {}, l.result),
        el('td', {class: 'num'}, l.duration + ' s'), el('td', {}, l.start_time_gmt || '—'),
        el('td', {}, l.hangup_time_gmt || '—'), el('td', {}, l.hangup_cause),
        el('td', {}, l.record_uuid ? 'yes' : 'no')));
    fill($('legs-rows'), rows.length ? rows : [emptyRow(10, 'no PBX legs for this call')]);
  }

  // ---- Charts ------------------------------------------------------------------------------
  // A small SVG chart of one series: a line with a dot per period (or bars), axes with the
  // first, middle and last period and the maximum. Each dot has a <title> with its value.
  function chart(container, labels, series, options) {
    const W = 560, H = 220, L = 56, R = 12, T = 12, B = 34;
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('class', 'svg-chart');
    svg.setAttribute('role', 'img');
    const add = (tag, attrs, text) => {
      const n = document.createElementNS(SVG_NS, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
      if (text !== undefined) n.textContent = text;
      svg.appendChild(n);
      return n;
    };
    const values = series.flatMap((s) => s.values.filter((v) => v !== null));
    const max = Math.max(options.floor || 0, ...values, 0) || 1;
    const n = labels.length;
    const x = (i) => L + (n <= 1 ? (W - L - R) / 2 : i * (W - L - R) / (n - 1));
    const y = (v) => T + (H - T - B) * (1 - v / max);
    add('line', {x1: L, y1: y(0), x2: W - R, y2: y(0), class: 'axis'});
    add('line', {x1: L, y1: T, x2: L, y2: y(0), class: 'axis'});
    add('text', {x: L - 6, y: y(max) + 4, class: 'tick end'}, options.format(max));
    add('text', {x: L - 6, y: y(0) + 4, class: 'tick end'}, options.format(0));
    // The first, middle and last period, anchored so that none runs off the chart.
    const shown = new Set([0, Math.floor((n - 1) / 2), n - 1]);
    for (const i of shown) {
      if (i < 0 || i >= n) continue;
      const anchor = n > 1 && i === 0 ? 'start' : n > 1 && i === n - 1 ? 'end' : 'mid';
      add('text', {x: x(i), y: H - 12, class: 'tick ' + anchor}, labels[i]);
    }
    series.forEach((s, k) => {
      const points = [];
      s.values.forEach((v, i) => {
        if (v !== null) points.push([x(i), y(v), v, i]);
      });
      if (points.length > 1) {
        add('polyline', {points: points.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1))
            .join(' '), class: 'line s' + k});
      }
      for (const [px, py, v, i] of points) {
        const dot = add('circle', {cx: px.toFixed(1), cy: py.toFixed(1), r: 3,
          class: 'point s' + k});
        const title = document.createElementNS(SVG_NS, 'title');
        title.textContent = labels[i] + ': ' + options.format(v) + (s.name ? ' ' + s.name : '');
        dot.appendChild(title);
      }
    });
    container.replaceChildren(svg);
  }

  async function loadCharts() {
    showView('charts');
    const params = new URLSearchParams();
    for (const [name, value] of new FormData($('chart-form'))) {
      const v = String(value).trim();
      if (v !== '') params.append(name, v);
    }
    const data = await api(accountBase() + 'Usage/?' + params.toString());
    const period = params.get('period') || 'day';
    const label = (row) => period === 'hour' ? row.period_start.slice(5, 16)
        : period === 'month' ? row.period_start.slice(0, 7) : row.period_start.slice(0, 10);
    const rows = data.objects;
    const labels = rows.map(label);
    const num = (v) => v === null ? null : Number(v);
    const t = data.totals;
    $('totals').textContent = `${numberFormat.format(t.calls)} calls, ` +
        `${numberFormat.format(t.answered_calls)} answered, ASR ${t.asr ?? '—'}, ` +
        `ACD ${t.acd ?? '—'} s, ${t.billed_minutes} billed minutes, cost ${t.total_amount}`;
    const int = (v) => numberFormat.format(Math.round(v));
    chart($('chart-calls'), labels, [
      {name: 'calls', values: rows.map((r) => r.calls)},
      {name: 'answered', values: rows.map((r) => r.answered_calls)},
    ], {format: int});
    chart($('chart-asr'), labels, [{values: rows.map((r) => num(r.asr))}],
        {floor: 1, format: (v) => (v * 100).toFixed(0) + '%'});
    chart($('chart-acd'), labels, [{values: rows.map((r) => num(r.acd))}], {format: int});
    chart($('chart-cost'), labels, [{values: rows.map((r) => num(r.total_amount))}],
        {format: (v) => v.toFixed(2)});
  }

  // ---- Trunks ------------------------------------------------------------------------------
  // Every page of a trunk collection (20 at a time, as the API serves them).
  async function listAll(collection) {
    const out = [];
    for (let offset = 0; ; offset += 20) {
      const data = await api(accountBase() + collection + '/?limit=20&offset=' + offset);
      out.push(...data.objects);
      if (data.objects.length < 20 || out.length >= data.meta.total_count) return out;
    }
  }

  async function loadTrunks() {
    showView('trunks');
    const [trunks, acls, creds, uris] = await Promise.all(
        ['Trunk', 'IPAccessControlList', 'Credential', 'URI'].map(listAll));
    const dash = (v) => v === null || v === undefined || v === '' ? '—' : String(v);
    fill($('trunks-rows'), trunks.length ? trunks.map((t) => el('tr', {class: 'trunk'},
        el('td', {}, el('code', {}, t.trunk_id)), el('td', {}, t.name),
        el('td', {}, t.trunk_direction), el('td', {}, t.trunk_status),
        el('td', {}, t.secure ? 'yes' : 'no'), el('td', {}, t.trunk_domain),
        el('td', {}, dash(t.ipacl_uuid)), el('td', {}, dash(t.credential_uuid)),
        el('td', {}, dash(t.primary_uri_uuid)))) : [emptyRow(9, 'no trunks')]);
    fill($('ipacls-rows'), acls.length ? acls.map((a) => el('tr', {},
        el('td', {}, el('code', {}, a.ipacl_uuid)), el('td', {}, a.name),
        el('td', {}, a.ip_addresses.join(', ')))) : [emptyRow(3, 'none')]);
    fill($('credentials-rows'), creds.length ? creds.map((c) => el('tr', {},
        el('td', {}, el('code', {}, c.credential_uuid)), el('td', {}, c.name),
        el('td', {}, c.username), el('td', {}, c.realm))) : [emptyRow(4, 'none')]);
    fill($('uris-rows'), uris.length ? uris.map((u) => el('tr', {},
        el('td', {}, el('code', {}, u.uri_uuid)), el('td', {}, u.name), el('td', {}, u.uri),
        el('td', {}, u.authentication_needed ? 'digest: ' + u.username : 'none')))
        : [emptyRow(4, 'none')]);
  }

  // ---- Routing -----------------------------------------------------------------------------
  // To a view: the hashchange event routes, or route() when the hash stays.
  function go(hash) {
    if (location.hash === hash || (hash === '' && location.hash === '')) route();
    else location.hash = hash;
  }

  // Runs a view's loader; an error is shown above the view, and a 401 signs out. The body has
  // the class `loading` while any loader runs.
  let running = 0;
  async function run(loader, ...args) {
    showError('');
    running += 1;
    document.body.classList.add('loading');
    try {
      await loader(...args);
    } catch (e) {
      if (e.status === 401) {
        signOut();
        showError('Signed out: ' + e.message);
      } else {
        showError(e.message);
      }
    } finally {
      running -= 1;
      if (running === 0) document.body.classList.remove('loading');
    }
  }

  function route() {
    renderHeader();
    const hash = location.hash.replace(/^#/, '');
    if (!session) {
      showView('signin');
      return;
    }
    if (session.mode === 'operator' && (!session.auth_id || hash === 'accounts')) {
      run(showAccounts);
      return;
    }
    if (hash.startsWith('call/')) run(loadCall, decodeURIComponent(hash.slice(5)));
    else if (hash === 'charts') run(loadCharts);
    else if (hash === 'trunks') run(loadTrunks);
    else run(loadCalls);
  }

  function start() {
    $('signin-account').addEventListener('submit', signInAccount);
    $('signin-operator').addEventListener('submit', signInOperator);
    $('sign-out').addEventListener('click', signOut);
    $('switch-account').addEventListener('click', () => go('#accounts'));
    $('accounts-rows').addEventListener('click', pickAccount);
    $('filters').addEventListener('submit', applyFilters);
    $('clear-filters').addEventListener('click', clearFilters);
    $('prev-page').addEventListener('click', () => page(-1));
    $('next-page').addEventListener('click', () => page(1));
    $('calls-rows').addEventListener('click', openCall);
    $('chart-form').addEventListener('submit', (event) => {
      event.preventDefault();
      run(loadCharts);
    });
    window.addEventListener('hashchange', route);
    route();
  }

  document.addEventListener('DOMContentLoaded', start);
})();
