// Hash routing without a router library: '#/name/arg?k=v' <-> {name, arg, params}.

export const AUTH_SCREENS = ['inbox', 'sent', 'users', 'send', 'message', 'conversation', 'account', 'requests'];
export const PUBLIC_SCREENS = ['login', 'signup', 'verify', 'forgot', 'reset'];

export function parseHash(hash) {
  const raw = (hash || '').replace(/^#\/?/, '');
  const [path, qs = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = Object.fromEntries(new URLSearchParams(qs));
  let name = parts[0] || '';
  let arg = parts[1];
  if (name === 'messages' && arg) name = 'message';
  if (name === 'conversations' && arg) name = 'conversation';
  if (![...AUTH_SCREENS, ...PUBLIC_SCREENS].includes(name)) name = '';
  return { name, arg, params };
}

export function hrefFor(name, arg, params) {
  const plural = { message: 'messages', conversation: 'conversations' }[name];
  let path = plural ? `${plural}/${encodeURIComponent(arg)}` : name;
  if (!plural && arg) path += `/${encodeURIComponent(arg)}`;
  const qs = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '')).toString() : '';
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(name, arg, params) {
  const next = hrefFor(name, arg, params);
  if (window.location.hash !== next) window.location.hash = next;
}
