// The inbox rule, shared with the server pages and written once in
// views/testdata/inbox_groups.json (both sides are tested against that file):
//
//   One entry per sender. Senders with unread messages come first, then by their
//   newest message, newest first. Within a sender: unread first, then newest first.
//   Ties (same time) keep the order the server sent them in.
//
// Array.prototype.sort is stable, and groups are created in the order their first
// message arrived, so equal keys keep the server's order at both levels.

const time = (m) => Date.parse(m.sent_at) || 0;
const isUnread = (m) => !m.read_at;
const byUnreadThenNewest = (a, b) => isUnread(b) - isUnread(a) || time(b) - time(a);
const bySenderRule = (a, b) => (b.unread > 0) - (a.unread > 0) || b.latest - a.latest;

export function groupBySender(messages) {
  const groups = new Map();
  for (const m of messages) {
    const key = (m.from && (m.from.id || m.from.username)) || '?';
    let g = groups.get(key);
    if (!g) {
      g = { sender: m.from || { id: key, username: 'unknown' }, messages: [], unread: 0, latest: -Infinity };
      groups.set(key, g);
    }
    g.messages.push(m);
    if (isUnread(m)) g.unread += 1;
    g.latest = Math.max(g.latest, time(m));
  }
  const list = [...groups.values()];
  for (const g of list) g.messages.sort(byUnreadThenNewest);
  list.sort(bySenderRule);
  return list;
}
