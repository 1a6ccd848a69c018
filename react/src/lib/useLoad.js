import { useEffect } from 'react';

// useLoad runs load() when deps change and hands its result to onLoaded, or
// its error to onFailed, unless the screen went away or deps changed in the
// meantime (a late answer must not overwrite a newer one).
export function useLoad(load, onLoaded, onFailed, deps) {
  useEffect(() => {
    let live = true;
    load().then(
      (r) => live && onLoaded(r),
      (err) => live && onFailed(err),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what reloads it
  }, deps);
}
