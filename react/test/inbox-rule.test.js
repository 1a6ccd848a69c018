// The inbox rule, written once for both clients in views/testdata/inbox_groups.json;
// the Go view model is tested against the same file.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { groupBySender } from '../src/lib/group.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(resolve(here, '../../views/testdata/inbox_groups.json'), 'utf8'));

describe(`inbox rule: ${fixture.rule}`, () => {
  it('has cases', () => {
    expect(fixture.cases.length).toBeGreaterThan(0);
  });

  it.each(fixture.cases.map((c) => [c.name, c]))('%s', (_, c) => {
    const got = groupBySender(c.messages).map((g) => ({
      sender: g.sender.username,
      ids: g.messages.map((m) => m.id),
      unread: g.unread,
    }));
    expect(got).toEqual(c.groups);
  });

  it('does not reorder the messages it was given', () => {
    for (const c of fixture.cases) {
      const before = c.messages.map((m) => m.id);
      groupBySender(c.messages);
      expect(c.messages.map((m) => m.id)).toEqual(before);
    }
  });
});
