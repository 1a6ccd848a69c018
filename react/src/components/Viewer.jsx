import { useEffect, useRef, useState } from 'react';
import { canView, openViewer } from '../../../static/viewer.js';

// Viewer shows images full screen: zoom, pan, previous and next, Esc or Back
// to close. It is the server pages' static/viewer.js (one viewer for both
// clients, a few KB), opened and closed with this component's life.
// items are {src, alt, href, read}: href is the message's screen ("" for
// none), read a URL fetched once when the image shows (it marks it read).
// View-once images are never items: they open only by their own screen.
export default function Viewer({ items, index, onClose, returnFocus }) {
  const done = useRef(onClose);
  done.current = onClose;
  useEffect(() => {
    const v = openViewer(items, index, { onClose: () => done.current?.(), returnFocus });
    return () => v.close(false);
    // Opened once per mount: the parent mounts a new Viewer to show others.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return null;
}

// useViewer is what a screen needs to open the viewer from a link: open(e,
// items, index) when the link is clicked (a plain click; a Ctrl- or
// middle-click, or a browser without a modal <dialog>, follows the link),
// and the element to render.
export function useViewer() {
  const [shown, setShown] = useState(null);
  function open(e, items, index) {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || !canView()) return;
    e.preventDefault();
    const from = e.currentTarget;
    setShown({ items, index, from, key: Date.now() });
  }
  const element = shown && (
    <Viewer key={shown.key} items={shown.items} index={shown.index} returnFocus={shown.from} onClose={() => setShown(null)} />
  );
  return { open, element };
}
