// Groups inbox messages by sender. Within a group: unread first, then newest first.
// Groups: those with unread messages first, then the one with the newest message first.

const time = (m) => Date.parse(m.sent_at) || 0;
const byUnreadThenNewest = (a, b) => (a.read_at ? 1 : 0) - (b.read_at ? 1 : 0) || time(b) - time(a);

export function groupBySender(messages) {
  const groups = new Map();
  for (const m of messages) {
    const key = (m.from && (m.from.id || m.from.username)) || '?';
    let g = groups.get(key);
    if (!g) {
      g = { sender: m.from || { id: key, username: 'unknown' }, messages: [], unread: 0, latest: 0 };
      groups.set(key, g);
    }
    g.messages.push(m);
    if (!m.read_at) g.unread += 1;
    g.latest = Math.max(g.latest, time(m));
  }
  const list = [...groups.values()];
  for (const g of list) g.messages.sort(byUnreadThenNewest);
  list.sort((a, b) => (b.unread > 0) - (a.unread > 0) || b.latest - a.latest);
  return list;
}
