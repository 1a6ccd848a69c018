import { hrefFor } from '../lib/route.js';
import { formatBytes, formatDate, typeLabel } from '../lib/format.js';
import RetentionBadge from '../components/RetentionBadge.jsx';

// One message in a list: a link to the message view.
export default function MessageRow({ m, who, title, status }) {
  const unread = status === undefined ? !m.read_at : false;
  return (
    <li>
      <a
        href={hrefFor('message', m.id)}
        className="-mx-2 flex items-center gap-3 rounded-lg px-2 py-2.5 hover:bg-slate-50 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
      >
        <span aria-hidden="true" className={`size-2.5 shrink-0 rounded-full ${unread ? 'bg-indigo-600' : 'bg-transparent'}`} />
        <span className="min-w-0 flex-1">
          <span className={`block truncate text-sm ${unread ? 'font-semibold text-slate-900' : 'text-slate-700'}`} title={title}>
            {who}
            {unread && <span className="sr-only"> (unread)</span>}
          </span>
          <span className="block text-xs text-slate-500">
            {typeLabel(m.content_type)} · {formatBytes(m.size)} <RetentionBadge m={m} />
          </span>
        </span>
        <span className="shrink-0 text-right text-xs text-slate-500">
          <time dateTime={m.sent_at}>{formatDate(m.sent_at)}</time>
          {status && <span className="block">{status}</span>}
        </span>
      </a>
    </li>
  );
}
