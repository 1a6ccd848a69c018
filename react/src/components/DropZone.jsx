import { useEffect, useId, useRef, useState } from 'react';
import { formatBytes } from '../lib/format.js';
import { UserText } from './ui.jsx';

// A drop target around a normal, labelled file input. Either way, onFile gets one File, or
// with multiple an array of them (file is then the array chosen).
// accept and hint come from the server's limits (the Send screen); without them any image may be chosen.
export default function DropZone({ file, onFile, disabled = false, accept = 'image/*', hint, multiple = false }) {
  const files = [].concat(file || []);
  const take = (list) => list && list[0] && onFile(multiple ? Array.from(list) : list[0]);
  const id = useId();
  const inputRef = useRef(null);
  const [over, setOver] = useState(false);
  const depth = useRef(0);

  // A file dropped beside the zone must not make the browser navigate away to it.
  useEffect(() => {
    const guard = (e) => {
      if (e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files')) e.preventDefault();
    };
    window.addEventListener('dragover', guard);
    window.addEventListener('drop', guard);
    return () => {
      window.removeEventListener('dragover', guard);
      window.removeEventListener('drop', guard);
    };
  }, []);

  function onDragEnter(e) {
    e.preventDefault();
    if (disabled) return;
    depth.current += 1;
    setOver(true);
  }
  function onDragOver(e) {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
  }
  function onDragLeave() {
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setOver(false);
  }
  function onDrop(e) {
    e.preventDefault();
    depth.current = 0;
    setOver(false);
    if (disabled) return;
    if (e.dataTransfer?.files?.[0]) {
      if (inputRef.current) inputRef.current.value = '';
      take(e.dataTransfer.files);
    }
  }

  return (
    <div
      data-testid="dropzone"
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
      className={`rounded-xl border-2 border-dashed p-4 text-center transition-colors sm:p-6 ${
        over ? 'border-indigo-500 bg-indigo-50' : 'border-slate-300 bg-slate-50'
      }`}
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" className="mx-auto size-10 text-slate-400">
        <path strokeLinecap="round" strokeLinejoin="round" d="M3 16.5V18a2.25 2.25 0 0 0 2.25 2.25h13.5A2.25 2.25 0 0 0 21 18v-1.5m-13.5-9L12 3m0 0 4.5 4.5M12 3v13.5" />
      </svg>
      <p className="mt-2 text-sm text-slate-600">{over ? 'Drop the image to attach it' : 'Drag and drop an image here, or choose one:'}</p>
      <label htmlFor={id} className="mt-3 block text-sm font-medium text-slate-700">
        Image file
      </label>
      <input
        id={id}
        ref={inputRef}
        type="file"
        name="image"
        accept={accept}
        multiple={multiple}
        disabled={disabled}
        onChange={(e) => take(e.target.files)}
        className="mx-auto mt-1 block w-full max-w-xs text-sm text-slate-600 file:mr-3 file:rounded-lg file:border-0 file:bg-indigo-600 file:px-3 file:py-2 file:text-sm file:font-semibold file:text-white hover:file:bg-indigo-500 focus-visible:rounded-lg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
      />
      {hint && (
        <p className="mt-2 text-xs text-slate-500" data-testid="upload-hint">
          {hint}
        </p>
      )}
      {files[0] && <Preview file={files[0]} />}
      {files[0] && (
        <p className="mt-3 text-sm font-medium text-slate-800 wrap-anywhere" data-testid="chosen-file">
          {files.length > 1 && `${files.length} images: `}
          <UserText>{files.map((f) => f.name).join(', ')}</UserText>{' '}
          <span className="font-normal text-slate-500">({formatBytes(files.reduce((n, f) => n + f.size, 0))})</span>
        </p>
      )}
    </div>
  );
}

// The chosen image as it will be sent, before sending (as on the server's send
// page); a blob: URL, which the page's CSP allows, freed when the file changes.
function Preview({ file }) {
  const [url, setUrl] = useState(null);
  useEffect(() => {
    if (typeof URL.createObjectURL !== 'function') return undefined;
    const u = URL.createObjectURL(file);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  if (!url) return null;
  return <img src={url} alt="Preview of the chosen image" className="mx-auto mt-3 max-h-64 max-w-full rounded-lg ring-1 ring-slate-200" />;
}
