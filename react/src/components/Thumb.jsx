import { useEffect, useState } from 'react';

// The page's CSP allows images from 'self' and blob: only, so a thumbnail sent
// as a data: URL is shown through a blob: URL made here (and freed on unmount).
export function blobFromDataUrl(dataUrl) {
  const m = /^data:([^;,]+);base64,(.*)$/.exec(dataUrl || '');
  if (!m) return null;
  try {
    const bin = atob(m[2]);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new Blob([bytes], { type: m[1] });
  } catch {
    return null;
  }
}

function useBlobUrl(dataUrl) {
  const [url, setUrl] = useState(null);
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

// A square thumbnail, or a neutral placeholder when the message has none
// (too large to thumbnail, or older than thumbnails). Decorative: the link
// around it names the image.
export default function Thumb({ src, size = 'size-12' }) {
  const url = useBlobUrl(src);
  if (url) {
    return <img src={url} alt="" data-testid="thumb" className={`${size} shrink-0 rounded-lg bg-slate-100 object-cover`} />;
  }
  return (
    <span aria-hidden="true" data-testid="thumb-placeholder" className={`${size} flex shrink-0 items-center justify-center rounded-lg bg-slate-100 text-slate-400`}>
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" className="size-1/2">
        <rect x="3" y="4" width="18" height="16" rx="2" />
        <circle cx="9" cy="10" r="2" />
        <path d="m21 17-5-5-9 8" />
      </svg>
    </span>
  );
}
