// A square thumbnail, or a neutral placeholder when the message has none
// (too large to thumbnail, or older than thumbnails). Decorative: the link
// around it names the image.
// The server sends it as a data: URL, which the page's CSP allows for
// images: shown as it is, with no request and nothing to free. Its size
// is fixed (max-w-none): in a bubble as wide as its image, the base
// style's max-width: 100% would let the image shrink to the text's width.
export default function Thumb({ src, size = 'size-12' }) {
  if (typeof src === 'string' && src.startsWith('data:image/')) {
    return <img src={src} alt="" data-testid="thumb" className={`${size} max-w-none shrink-0 rounded-lg bg-slate-100 object-cover`} />;
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
