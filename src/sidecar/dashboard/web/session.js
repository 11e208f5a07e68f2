// @ts-check
// biome-ignore-all lint/correctness/noUnusedVariables: the script files share one scope (see state.js)
/** Signing in and out, and the start of the page. */

function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY) ?? '';
}

/** @param {string} [message] */
function signOut(message = '') {
  state.events?.abort();
  state.events = null;
  stopPolling();
  if (state.refreshTimer !== null) clearTimeout(state.refreshTimer);
  state.refreshTimer = null;
  state.token = '';
  state.records = [];
  sessionStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(TOKEN_KEY);
  byId('dashboard', HTMLElement).hidden = true;
  byId('tools', HTMLElement).hidden = true;
  byId('sign-in-view', HTMLElement).hidden = false;
  setText('sign-in-error', message);
  byId('token', HTMLInputElement).focus();
}

function showDashboard() {
  byId('sign-in-view', HTMLElement).hidden = true;
  byId('dashboard', HTMLElement).hidden = false;
  byId('tools', HTMLElement).hidden = false;
  setLive('offline', 'connecting…');
  void refreshAll();
  void connectLive();
}

/** @param {SubmitEvent} event */
async function onSignIn(event) {
  event.preventDefault();
  const input = byId('token', HTMLInputElement);
  const token = input.value.trim();
  if (!token) {
    setText('sign-in-error', 'Paste the sidecar token first.');
    return;
  }
  const response = await fetch('/v1/usage/summary?since=1d', {
    headers: { authorization: `Bearer ${token}` },
    cache: 'no-store',
  }).catch(() => null);
  if (response === null || response.status >= 500) {
    setText('sign-in-error', 'The sidecar does not answer; is it running (`llmdev status`)?');
    return;
  }
  if (!response.ok) {
    setText('sign-in-error', 'That is not the sidecar token: use the contents of .secrets/llmdev_token.');
    return;
  }
  input.value = '';
  setText('sign-in-error', '');
  state.token = token;
  const remember = byId('remember', HTMLInputElement).checked;
  (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
  showDashboard();
}

function start() {
  byId('sign-in', HTMLFormElement).addEventListener('submit', (event) => void onSignIn(event));
  byId('sign-out', HTMLButtonElement).addEventListener('click', () => signOut());
  byId('range', HTMLSelectElement).addEventListener('change', (event) => {
    state.range = /** @type {HTMLSelectElement} */ (event.target).value;
    void refreshAll();
  });
  const filters = byId('filters', HTMLFormElement);
  filters.addEventListener('input', () => renderTable());
  filters.addEventListener('submit', (event) => event.preventDefault());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.token && Date.now() - state.lastRefresh > STALE_MS) {
      void refreshAll();
    }
  });
  void renderFooter();
  state.token = storedToken();
  if (state.token) showDashboard();
  else signOut();
}

start();
