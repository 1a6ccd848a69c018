import { useEffect, useState } from 'react';

// A view-once image arrives as a data: URL in a JSON answer. It is shown
// through an object URL that is freed when the screen goes: then nothing in
// the page holds the image any more.

// blobFromDataUrl decodes a base64 image data: URL; anything else is null.
export function blobFromDataUrl(dataUrl) {
  const m = /^data:(image\/[^;,]+);base64,(.*)$/.exec(dataUrl || '');
  if (!m) return null;
  try {
    const bin = atob(m[2]);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new Blob([bytes], { type: m[1] });
  } catch {
    return null;
  }
}

// useObjectUrl is an object URL for dataUrl, revoked on unmount: undefined
// until made, null when the data is unreadable.
export function useObjectUrl(dataUrl) {
  const [url, setUrl] = useState(undefined);
  useEffect(() => {
    const blob = blobFromDataUrl(dataUrl);
    if (!blob || typeof URL.createObjectURL !== 'function') {
      setUrl(blob ? dataUrl : null);
      return undefined;
    }
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [dataUrl]);
  return url;
}
