import { useCallback, useEffect, useRef, useState } from 'react';

// Loads a cursor-paginated list. fetchPage(cursor) resolves to {items, next, extra}.
// refresh() reloads the first page without clearing the list first.
// A newer load (deps changed) wins over a slower older one.
export function usePaged(fetchPage, deps) {
  const [state, setState] = useState({ items: [], next: '', loading: true, error: null, extra: null });
  const seq = useRef(0);

  // quiet: reload the first page in the background, keeping what is shown
  // until the new page is there (a live update, not a new screen).
  const load = useCallback(
    async (cursor, quiet = false) => {
      const my = ++seq.current;
      if (!quiet) setState((s) => ({ ...s, loading: true, error: null, ...(cursor ? {} : { items: [], next: '' }) }));
      try {
        const page = await fetchPage(cursor);
        if (my !== seq.current) return;
        setState((s) => ({
          items: cursor ? [...s.items, ...page.items] : page.items,
          next: page.next || '',
          loading: false,
          error: null,
          extra: page.extra ?? null,
        }));
      } catch (err) {
        if (my !== seq.current) return;
        setState((s) => ({ ...s, loading: false, error: err }));
      }
    },
    deps,
  );

  useEffect(() => {
    load('');
    return () => {
      seq.current += 1;
    };
  }, [load]);

  return { ...state, loadMore: () => load(state.next), reload: () => load(''), refresh: () => load('', true) };
}
