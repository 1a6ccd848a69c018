import { retentionLabel } from '../lib/retention.js';

// Says, in a list, that an image opens once or when it is gone (nothing for
// an image kept until deleted). Same colours as the server pages' badge.
export default function RetentionBadge({ m }) {
  const label = retentionLabel(m);
  if (!label) return null;
  const tone = m.view_once ? 'bg-amber-100 text-amber-900' : 'bg-slate-100 text-slate-700';
  return (
    <span data-testid="retention" className={`inline-block whitespace-nowrap rounded-full px-1.5 text-xs font-medium ${tone}`}>
      {label}
    </span>
  );
}
