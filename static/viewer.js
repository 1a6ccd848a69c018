// The full-screen image viewer, for the server pages and the React client
// (react/src/components/Viewer.jsx imports openViewer from here).
//
// Pages hook it with data- attributes: a link with data-viewer="<image URL>"
// opens the viewer on click or Enter instead of following its href, which
// stays the way in without JavaScript. Every [data-viewer] link of the page,
// in order, is one image of the viewer; data-viewer-alt names it, and
// data-viewer-read is a URL that marks it read (the message page) when it is
// shown. View-once images are never hooked, so never fetched from here.
//
// Fit: an image is shown whole (never enlarged past its pixels), except an
// extreme one: a tall screenshot fills the width (at most 800 px wide) from
// its top and is read by scrolling down; a panorama fills the height from
// its left and is read by scrolling sideways. Zoom with the wheel with Ctrl
// (a trackpad's pinch), a touch pinch, double-tap, + - 0; the plain wheel
// scrolls an image larger than the screen and zooms one that fits. Pan by
// dragging or with the arrow keys along an axis the image overflows; else
// ← → and a swipe go to the previous and next image. Esc, Back and Close
// close it, and the focus returns to the link it was opened from.
//
// Styles are set through the CSSOM (el.style), which the CSP allows, so the
// viewer needs no stylesheet of either client.

const TALL_MAX_WIDTH = 800;
const KEY_PAN = 80;
const KEY_ZOOM = 1.25;

// openViewer shows items[index] full screen. items are {src, alt, href,
// read}: href is where "Open" leads, read a URL fetched once when the image
// is shown. It returns {close()}; onClose runs after it closed.
export function openViewer(items, index, { onClose, returnFocus } = {}) {
  if (current) current.close(false);
  const v = new Viewer(items, index, onClose, returnFocus);
  current = v;
  return v;
}

// canView reports whether this browser has what the viewer needs (a modal
// <dialog>); where it does not, the image's link is followed instead.
export function canView() {
  return typeof HTMLDialogElement !== 'undefined' && typeof HTMLDialogElement.prototype.showModal === 'function';
}

let current = null;
let leaving = null; // a closed viewer's history.back(), until it lands

function el(tag, style, attrs = {}) {
  const e = document.createElement(tag);
  Object.assign(e.style, style);
  for (const [k, val] of Object.entries(attrs)) e.setAttribute(k, val);
  return e;
}

// toggle shows or hides a button (its inline display outranks [hidden]).
function toggle(e, on) {
  e.hidden = !on;
  e.style.display = on ? 'inline-flex' : 'none';
}

const barButton = {
  minWidth: '44px', height: '44px', padding: '0 10px', border: '0', borderRadius: '9999px',
  background: 'rgba(255,255,255,0.12)', color: '#fff', font: '600 18px/1 system-ui, sans-serif',
  cursor: 'pointer', display: 'inline-flex', alignItems: 'center', justifyContent: 'center',
  textDecoration: 'none',
};
const sideButton = {
  ...barButton, position: 'absolute', top: '50%', transform: 'translateY(-50%)',
  width: '48px', height: '48px', fontSize: '28px', background: 'rgba(30,41,59,0.85)',
  boxShadow: '0 0 0 1px rgba(255,255,255,0.35)',
};

class Viewer {
  constructor(items, index, onClose, returnFocus) {
    this.items = items;
    this.index = index;
    this.onClose = onClose;
    this.returnFocus = returnFocus;
    this.cache = new Map(); // src -> loaded <img>, the shown one and its neighbours
    this.pointers = new Map();
    this.s = 1; this.x = 0; this.y = 0; this.fitS = 1;
    this.build();
    this.onPop = () => {
      keepPage();
      this.close(false, true);
    };
    // Its own history entry, so Back closes it; after the entry of a viewer
    // just closed by Esc is gone (history.back() lands later).
    const push = () => {
      if (this.closed) return;
      history.pushState({ viewer: true }, '');
      this.pushed = true;
      window.addEventListener('popstate', this.onPop);
    };
    if (leaving) leaving.then(push);
    else push();
    window.addEventListener('hashchange', this.onPop); // React's Details link
    this.onResize = () => this.fit();
    window.addEventListener('resize', this.onResize);
    this.overflow = document.documentElement.style.overflow;
    document.documentElement.style.overflow = 'hidden'; // the page behind stays put
    this.dialog.showModal();
    // The dialog takes the focus, not its Close button: the Enter that
    // opened it would otherwise reach the button as its keypress and close it.
    this.dialog.focus();
    this.show(index);
  }

  build() {
    const d = el('dialog', {
      position: 'fixed', inset: '0', width: '100%', height: '100%', maxWidth: 'none', maxHeight: 'none',
      margin: '0', padding: '0', border: '0', background: '#020617', color: '#fff',
      overflow: 'hidden', font: '15px/1.4 system-ui, sans-serif', outline: 'none',
    }, { tabindex: '-1', 'aria-modal': 'true', 'aria-label': 'Image viewer', 'data-viewer-dialog': '' });
    const bar = el('div', {
      position: 'absolute', top: '0', left: '0', right: '0', zIndex: '2', display: 'flex', alignItems: 'center',
      gap: '8px', height: '60px', boxSizing: 'border-box', padding: '8px 12px', background: '#0f172a',
    });
    this.counter = el('p', { margin: '0', flex: '1', minWidth: '0', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
      { 'aria-live': 'polite', 'data-viewer-counter': '' });
    const zoomOut = el('button', barButton, { type: 'button', 'aria-label': 'Zoom out', 'aria-keyshortcuts': '-' });
    zoomOut.textContent = '−';
    zoomOut.onclick = () => this.zoomAt(1 / KEY_ZOOM);
    const zoomIn = el('button', barButton, { type: 'button', 'aria-label': 'Zoom in', 'aria-keyshortcuts': '+' });
    zoomIn.textContent = '+';
    zoomIn.onclick = () => this.zoomAt(KEY_ZOOM);
    this.open = el('a', { ...barButton, fontSize: '14px' }, { 'data-viewer-open': '' });
    this.open.textContent = 'Details';
    this.closeBtn = el('button', { ...barButton, fontSize: '22px' }, { type: 'button', 'aria-label': 'Close', 'aria-keyshortcuts': 'Escape' });
    this.closeBtn.textContent = '×';
    this.closeBtn.onclick = () => this.close(true);
    this.zoomButtons = [zoomOut, zoomIn]; // on a phone, pinch and double-tap zoom
    bar.append(this.counter, zoomOut, zoomIn, this.open, this.closeBtn);

    this.stage = el('div', { position: 'absolute', inset: '60px 0 0 0', overflow: 'hidden', touchAction: 'none', cursor: 'grab' }, { 'data-viewer-stage': '' });
    this.note = el('p', { position: 'absolute', top: '50%', left: '0', right: '0', textAlign: 'center', padding: '0 24px', margin: '0' }, { role: 'status' });
    this.prev = el('button', { ...sideButton, left: '8px' }, { type: 'button', 'aria-label': 'Previous image', 'aria-keyshortcuts': 'ArrowLeft' });
    this.prev.textContent = '‹';
    this.prev.onclick = () => this.go(-1);
    this.next = el('button', { ...sideButton, right: '8px' }, { type: 'button', 'aria-label': 'Next image', 'aria-keyshortcuts': 'ArrowRight' });
    this.next.textContent = '›';
    this.next.onclick = () => this.go(1);
    d.append(this.stage, this.note, bar, this.prev, this.next);

    d.addEventListener('cancel', (e) => { e.preventDefault(); this.close(true); });
    d.addEventListener('keydown', (e) => this.key(e));
    this.stage.addEventListener('wheel', (e) => this.wheel(e), { passive: false });
    this.stage.addEventListener('pointerdown', (e) => this.down(e));
    this.stage.addEventListener('pointermove', (e) => this.move(e));
    this.stage.addEventListener('pointerup', (e) => this.up(e));
    this.stage.addEventListener('pointercancel', (e) => this.pointers.delete(e.pointerId));
    document.body.append(d);
    this.dialog = d;
  }

  // show displays items[i], fitted, and loads its neighbours.
  show(i) {
    this.index = i;
    const it = this.items[i];
    const n = this.items.length;
    this.counter.textContent = (it.alt || 'Image') + (n > 1 ? ` · ${i + 1} of ${n}` : '');
    this.dialog.setAttribute('aria-label', `Image viewer: ${it.alt || 'image'}${n > 1 ? `, ${i + 1} of ${n}` : ''}`);
    toggle(this.open, Boolean(it.href));
    if (it.href) this.open.href = it.href;
    toggle(this.prev, n > 1);
    toggle(this.next, n > 1);
    this.prev.disabled = i === 0;
    this.next.disabled = i === n - 1;
    this.prev.style.opacity = i === 0 ? '0.35' : '1';
    this.next.style.opacity = i === n - 1 ? '0.35' : '1';
    if (it.read && !it.readSent) {
      it.readSent = true;
      fetch(it.read, { credentials: 'same-origin' }).catch(() => {});
    }
    this.stage.replaceChildren();
    this.note.textContent = 'Loading…';
    this.img = this.load(it);
    const img = this.img;
    const ready = () => {
      if (img !== this.img) return;
      if (!img.naturalWidth) {
        this.note.textContent = 'This image could not be opened: it may have expired or been deleted.';
        return;
      }
      this.note.textContent = '';
      this.stage.append(img);
      this.fit();
    };
    if (img.complete) ready();
    else {
      img.addEventListener('load', ready, { once: true });
      img.addEventListener('error', ready, { once: true });
    }
    // Neighbours, so next and previous show at once; never a view-once image
    // (none is an item), and nothing further away.
    const keep = new Set([i - 1, i, i + 1].filter((j) => j >= 0 && j < n).map((j) => this.items[j].src));
    for (const src of this.cache.keys()) if (!keep.has(src)) this.cache.delete(src);
    for (const j of [i + 1, i - 1]) if (j >= 0 && j < n) this.load(this.items[j]);
  }

  load(it) {
    let img = this.cache.get(it.src);
    if (!img) {
      img = el('img', { position: 'absolute', left: '0', top: '0', maxWidth: 'none', transformOrigin: '0 0', userSelect: 'none' },
        { alt: it.alt || '', draggable: 'false', 'data-viewer-image': '' });
      img.decoding = 'async';
      img.src = it.src;
      this.cache.set(it.src, img);
    }
    return img;
  }

  // fit sets the starting view of the shown image (see the top of the file).
  fit() {
    const img = this.img;
    if (!img || !img.naturalWidth) return;
    const W = img.naturalWidth, H = img.naturalHeight;
    for (const b of this.zoomButtons) toggle(b, window.innerWidth >= 480);
    const vw = this.stage.clientWidth, vh = this.stage.clientHeight;
    const whole = Math.min(vw / W, vh / H, 1);
    img.style.width = W + 'px';
    img.style.height = H + 'px';
    if (W * whole < vw / 2 && H > vh) { // a tall screenshot: fill the width, from the top
      this.fitS = Math.min(1, Math.min(vw, TALL_MAX_WIDTH) / W);
      this.set(this.fitS, (vw - W * this.fitS) / 2, 0);
    } else if (H * whole < vh / 2 && W > vw) { // a panorama: fill the height, from the left
      this.fitS = Math.min(1, vh / H);
      this.set(this.fitS, 0, (vh - H * this.fitS) / 2);
    } else {
      this.fitS = whole;
      this.set(whole, (vw - W * whole) / 2, (vh - H * whole) / 2);
    }
    img.dataset.fit = String(this.fitS);
  }

  // set moves the image to scale s at (x, y), kept on screen: centred along
  // an axis it fits, else with no gap at either edge.
  set(s, x, y) {
    const img = this.img;
    if (!img || !img.naturalWidth) return;
    const vw = this.stage.clientWidth, vh = this.stage.clientHeight;
    const sw = img.naturalWidth * s, sh = img.naturalHeight * s;
    this.s = s;
    this.x = sw <= vw ? (vw - sw) / 2 : Math.min(0, Math.max(vw - sw, x));
    this.y = sh <= vh ? (vh - sh) / 2 : Math.min(0, Math.max(vh - sh, y));
    img.style.transform = `translate(${this.x}px, ${this.y}px) scale(${s})`;
    img.dataset.scale = String(s);
  }

  overflows() {
    const img = this.img;
    if (!img || !img.naturalWidth) return { x: false, y: false };
    const sw = img.naturalWidth * this.s;
    return {
      x: sw > this.stage.clientWidth + 1,
      y: img.naturalHeight * this.s > this.stage.clientHeight + 1,
      minX: this.stage.clientWidth - sw + 0.5, // x at the right edge
    };
  }

  // zoomAt scales by f around the point (cx, cy) of the stage, its centre by
  // default, between the fitted size and 4 times it (or the image's pixels
  // times 4, if larger).
  zoomAt(f, cx = this.stage.clientWidth / 2, cy = this.stage.clientHeight / 2) {
    if (!this.img || !this.img.naturalWidth) return;
    const min = Math.min(this.fitS, 1), max = Math.max(4 * this.fitS, 4);
    const s = Math.min(max, Math.max(min, this.s * f));
    const k = s / this.s;
    this.set(s, cx - (cx - this.x) * k, cy - (cy - this.y) * k);
  }

  go(d) {
    const i = this.index + d;
    if (i >= 0 && i < this.items.length) this.show(i);
  }

  key(e) {
    if (e.altKey || e.metaKey || (e.ctrlKey && e.key !== '0')) return;
    const o = this.overflows();
    const onButton = e.target instanceof HTMLButtonElement || e.target instanceof HTMLAnchorElement;
    switch (e.key) {
      case '+': case '=': this.zoomAt(KEY_ZOOM); break;
      case '-': case '_': this.zoomAt(1 / KEY_ZOOM); break;
      case '0': this.fit(); break;
      // Along a side it overflows, an arrow pans until the edge, then turns the page.
      case 'ArrowLeft': if (o.x && this.x < 0) this.set(this.s, this.x + KEY_PAN, this.y); else this.go(-1); break;
      case 'ArrowRight': if (o.x && this.x > o.minX) this.set(this.s, this.x - KEY_PAN, this.y); else this.go(1); break;
      case 'ArrowUp': if (!o.y) return; this.set(this.s, this.x, this.y + KEY_PAN); break;
      case 'ArrowDown': if (!o.y) return; this.set(this.s, this.x, this.y - KEY_PAN); break;
      case 'PageUp': case 'PageDown': {
        if (!o.y) return;
        const page = this.stage.clientHeight * 0.9;
        this.set(this.s, this.x, this.y + (e.key === 'PageUp' ? page : -page));
        break;
      }
      case 'Home': this.set(this.s, this.x, 0); break;
      case 'End': this.set(this.s, this.x, -Infinity); break;
      case 'Tab': this.trap(e); return;
      case ' ': if (onButton) return; break;
      default: return;
    }
    e.preventDefault();
  }

  // trap keeps Tab inside the viewer (a modal dialog already makes the page
  // behind it inert; this also keeps the focus off the browser's own bar).
  trap(e) {
    const f = [...this.dialog.querySelectorAll('button, a[href]')].filter((b) => !b.hidden && !b.disabled);
    if (!f.length) return;
    const first = f[0], last = f[f.length - 1];
    if (e.shiftKey && document.activeElement === first) { last.focus(); e.preventDefault(); }
    else if (!e.shiftKey && document.activeElement === last) { first.focus(); e.preventDefault(); }
  }

  wheel(e) {
    e.preventDefault();
    const o = this.overflows();
    const r = this.stage.getBoundingClientRect();
    if (!e.ctrlKey && (o.x || o.y)) {
      const dx = e.shiftKey && !e.deltaX ? e.deltaY : e.deltaX;
      const dy = e.shiftKey && !e.deltaX ? 0 : e.deltaY;
      this.set(this.s, this.x - dx, this.y - dy);
      return;
    }
    this.zoomAt(Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.002)), e.clientX - r.left, e.clientY - r.top);
  }

  down(e) {
    this.stage.setPointerCapture?.(e.pointerId);
    this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, x0: e.clientX, y0: e.clientY, t: Date.now() });
    if (this.pointers.size === 2) this.pinch = this.spread();
  }

  spread() {
    const [a, b] = [...this.pointers.values()];
    return { d: Math.hypot(a.x - b.x, a.y - b.y) || 1, cx: (a.x + b.x) / 2, cy: (a.y + b.y) / 2 };
  }

  move(e) {
    const p = this.pointers.get(e.pointerId);
    if (!p) return;
    const dx = e.clientX - p.x, dy = e.clientY - p.y;
    p.x = e.clientX; p.y = e.clientY;
    if (this.pointers.size === 2) {
      const now = this.spread(), r = this.stage.getBoundingClientRect();
      this.zoomAt(now.d / this.pinch.d, now.cx - r.left, now.cy - r.top);
      this.set(this.s, this.x + now.cx - this.pinch.cx, this.y + now.cy - this.pinch.cy);
      this.pinch = now;
      return;
    }
    const o = this.overflows();
    if (o.x || o.y) this.set(this.s, this.x + (o.x ? dx : 0), this.y + (o.y ? dy : 0));
  }

  up(e) {
    const p = this.pointers.get(e.pointerId);
    this.pointers.delete(e.pointerId);
    if (!p || this.pointers.size > 0) return;
    if (this.pinch) { this.pinch = null; return; }
    const dx = e.clientX - p.x0, dy = e.clientY - p.y0;
    if (Math.abs(dx) < 10 && Math.abs(dy) < 10) { // a tap: two make a double-tap
      const now = Date.now(), r = this.stage.getBoundingClientRect();
      if (this.lastTap && now - this.lastTap < 350) {
        this.lastTap = 0;
        if (this.s > this.fitS * 1.05) this.fit();
        else this.zoomAt(Math.max(2.5, 1 / this.fitS), e.clientX - r.left, e.clientY - r.top);
      } else this.lastTap = now;
      return;
    }
    // A swipe goes to the neighbour, unless it panned a wide image.
    if (!this.overflows().x && Math.abs(dx) > 50 && Math.abs(dx) > 1.5 * Math.abs(dy)) this.go(dx < 0 ? 1 : -1);
  }

  // close hides the viewer; back says it should also take its history entry
  // off (Close, Esc), popped that Back has done so.
  close(back, popped = false) {
    if (this.closed) return;
    this.closed = true;
    window.removeEventListener('popstate', this.onPop);
    window.removeEventListener('hashchange', this.onPop);
    window.removeEventListener('resize', this.onResize);
    if (back && this.pushed && history.state && history.state.viewer) {
      leaving = new Promise((resolve) => {
        const landed = () => {
          window.removeEventListener('popstate', landed);
          leaving = null;
          resolve();
        };
        window.addEventListener('popstate', landed);
      });
      keepPage();
      history.back();
    }
    this.dialog.close();
    document.documentElement.style.overflow = this.overflow;
    this.dialog.remove();
    this.cache.clear();
    if (current === this) current = null;
    const f = typeof this.returnFocus === 'function' ? this.returnFocus() : this.returnFocus;
    if (f && f.isConnected) {
      f.focus();
      // A history traversal that a script intercepts (htmx does) ends by
      // moving the focus to the page's top: give it back once it is done.
      if ((back || popped) && window.navigation) {
        const again = () => f.isConnected && f.focus();
        navigation.addEventListener('navigatesuccess', again, { once: true });
        setTimeout(() => navigation.removeEventListener('navigatesuccess', again), 2000);
      }
    }
    if (this.onClose) this.onClose();
  }
}

// keepPage stops htmx from reloading the page for the step back over the
// viewer's history entry: htmx restores the page it finds on any history
// traversal, but this one only closes the viewer.
function keepPage() {
  const stop = (e) => e.preventDefault();
  document.addEventListener('htmx:before:history:restore', stop, { once: true });
  setTimeout(() => document.removeEventListener('htmx:before:history:restore', stop), 1000);
}

// Pages: every [data-viewer] link opens the viewer on the page's images.
function hooked(e) {
  if (e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || !canView()) return;
  const a = e.target.closest && e.target.closest('a[data-viewer]');
  if (!a) return;
  e.preventDefault();
  const links = [...document.querySelectorAll('a[data-viewer]')];
  const items = links.map((l) => ({
    src: l.dataset.viewer,
    alt: l.dataset.viewerAlt || '',
    href: l.dataset.viewerHref ?? l.getAttribute('href'), // "" on the message page itself
    read: l.dataset.viewerRead || '',
  }));
  // The list may be morphed while the viewer is open: focus returns by id.
  const id = a.id;
  openViewer(items, links.indexOf(a), { returnFocus: () => (id && document.getElementById(id)) || a });
}

// The pages load this file with <script type="module" data-viewer-pages>;
// React imports it and opens the viewer itself.
if (typeof document !== 'undefined' && document.querySelector('script[data-viewer-pages]')) {
  document.addEventListener('click', hooked);
}
