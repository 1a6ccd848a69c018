import { describe, expect, it } from 'vitest';
import { groupBySender } from '../src/lib/group.js';
import { hrefFor, parseHash } from '../src/lib/route.js';
import { captionLength, formatBytes, formatMiB, typeLabel, typesLabel, unreadBadge, unreadLabel } from '../src/lib/format.js';
import { fileProblem, sayCaptionTooLong, uploadRules } from '../src/lib/limits.js';
import { validateCode, validatePassword, validateSignup, validateUsername } from '../src/lib/validate.js';
import { KEEP_CHOICES, KEEP_HINT } from '../src/lib/retention.js';
import rules from '../src/lib/rules.json';
import { msg } from './helpers.js';
import imageTypes from '../src/lib/image-types.json';

describe('groupBySender', () => {
  it('puts senders with unread first, then newest; unread first inside a group', () => {
    const groups = groupBySender([
      msg('1', 'ann', { read: true, sent: '2025-01-05T00:00:00Z' }),
      msg('2', 'bob', { sent: '2025-01-01T00:00:00Z' }),
      msg('3', 'ann', { sent: '2025-01-02T00:00:00Z' }),
      msg('4', 'cid', { read: true, sent: '2025-01-09T00:00:00Z' }),
      msg('5', 'dan', { read: true, sent: '2025-01-03T00:00:00Z' }),
      msg('6', 'bob', { sent: '2025-01-04T00:00:00Z' }),
    ]);
    expect(groups.map((g) => [g.sender.username, g.unread])).toEqual([
      ['ann', 1], // has unread, newest message Jan 5
      ['bob', 2], // has unread, newest Jan 4
      ['cid', 0],
      ['dan', 0],
    ]);
    expect(groups[0].messages.map((m) => m.id)).toEqual(['3', '1']);
    expect(groups[1].messages.map((m) => m.id)).toEqual(['6', '2']);
  });

  it('returns nothing for no messages', () => {
    expect(groupBySender([])).toEqual([]);
  });
});

describe('hash routes', () => {
  it('parses screens, ids and params', () => {
    expect(parseHash('')).toEqual({ name: '', arg: undefined, params: {} });
    expect(parseHash('#/inbox')).toMatchObject({ name: 'inbox' });
    expect(parseHash('#/messages/ab%2Fc')).toMatchObject({ name: 'message', arg: 'ab/c' });
    expect(parseHash('#/send?to=bob')).toMatchObject({ name: 'send', params: { to: 'bob' } });
    expect(parseHash('#/nope')).toMatchObject({ name: '' });
  });

  it('builds hrefs that parse back', () => {
    expect(hrefFor('verify', null, { username: 'a b' })).toBe('#/verify?username=a+b');
    expect(hrefFor('message', 'x/1')).toBe('#/messages/x%2F1');
    expect(parseHash(hrefFor('message', 'x/1')).arg).toBe('x/1');
    expect(hrefFor('send', null, { to: '' })).toBe('#/send');
  });
});

describe('format and validation', () => {
  it('formats sizes and types', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KiB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MiB');
    expect(typeLabel('image/jpeg')).toBe('JPEG');
  });

  it('states limits as the server does', () => {
    expect(formatMiB(20971520)).toBe('20 MiB');
    expect(formatMiB(2.5 * 1024 * 1024)).toBe('2.5 MiB');
    expect(formatMiB(512 * 1024)).toBe('0.5 MiB');
    expect(formatMiB(undefined)).toBe('');
    expect(typesLabel(['image/png', 'image/jpeg', 'image/gif', 'image/webp'])).toBe('PNG, JPEG, GIF or WebP');
    expect(typesLabel(['image/png'])).toBe('PNG');
    expect(typesLabel(imageTypes.types)).toBe('PNG, JPEG, GIF, WebP or AVIF');
    expect(captionLength('  héllo 👋 \r\n')).toBe(7);
  });

  it("refuses a HEIC photo with the server's words, by its type or by its name", () => {
    const rules = uploadRules({ image_types: imageTypes.types });
    expect(imageTypes.heic).toMatch(/Most Compatible/);
    expect(fileProblem({ name: 'IMG_0042.jpg', type: 'image/heic', size: 1 }, rules)).toBe(imageTypes.heic);
    expect(fileProblem({ name: 'IMG_0042.HEIC', type: '', size: 1 }, rules)).toBe(imageTypes.heic);
    expect(fileProblem({ name: 'IMG_0042.HEIC', type: '', size: 1 }, uploadRules(undefined))).toBe(imageTypes.heic);
    expect(fileProblem({ name: 'photo.avif', type: 'image/avif', size: 1 }, rules)).toBeNull();
  });

  it('takes upload rules from the server, and guesses none without them', () => {
    const rules = uploadRules({ max_upload_bytes: 1048576, max_caption_length: 80, image_types: ['image/png'] });
    expect(rules).toMatchObject({ maxBytes: 1048576, maxCaption: 80, accept: 'image/png', hint: 'PNG, up to 1 MiB.' });
    expect(fileProblem({ type: 'image/png', size: 1048577 }, rules)).toBe('This image is larger than the 1 MiB limit.');
    expect(fileProblem({ type: 'image/gif', size: 1 }, rules)).toBe(imageTypes.unsupported);
    expect(fileProblem({ type: 'image/png', size: 1048576 }, rules)).toBeNull();
    for (const none of [undefined, null, {}]) {
      const r = uploadRules(none);
      expect(r).toMatchObject({ maxBytes: null, maxCaption: null, types: null, accept: 'image/*', hint: '' });
      expect(fileProblem({ type: 'application/pdf', size: 1e12 }, r)).toBeNull();
    }
  });

  it('shows unread counts as the server caps them', () => {
    expect(unreadBadge(7)).toBe('7');
    expect(unreadBadge(99)).toBe('99');
    expect(unreadBadge(100)).toBe('99+');
    expect(unreadLabel(100)).toBe('more than 99 unread');
    expect(unreadLabel(3)).toBe('3 unread');
  });

  it('mirrors the server rules', () => {
    expect(validateUsername('ab')).toMatch(/3 to 32/);
    expect(validateUsername('a.b-c_d')).toBeNull();
    expect(validateUsername('bad name')).toMatch(/3 to 32/);
    expect(validateSignup({ username: 'alice', email: 'a@b', password: 'short' })).toMatch(/10 characters/);
    expect(validateSignup({ username: 'alice', email: 'nope', password: 'longenough' })).toMatch(/email/);
    expect(validateSignup({ username: 'alice', email: 'a@b.c', password: 'longenough' })).toBeNull();
    expect(validateCode('12345')).not.toBeNull();
    expect(validateCode('123456')).toBeNull();
  });

  // rules.json is written from imageapp.Rules by TestClientRulesAreImageapps: the words are the server's.
  it('speaks the server words from rules.json', () => {
    expect(validateUsername('')).toBe(rules.username.missing);
    expect(validateUsername('ab')).toBe(rules.username.invalid);
    expect(validateSignup({ username: 'alice', email: 'nope', password: 'longenough' })).toBe(rules.email.invalid);
    expect(validateSignup({ username: 'alice', email: 'a@b', password: 'short' })).toBe(rules.password.too_short);
    expect(validatePassword('short')).toBe(rules.password.too_short);
    expect(validatePassword('é'.repeat(129))).toBe(rules.password.too_long);
    expect(validateCode('12')).toBe(rules.code.invalid);
    expect(KEEP_CHOICES).toEqual(rules.keep.choices.map((c) => [c.value, c.label]));
    expect(KEEP_HINT).toBe(rules.keep.hint);
    const limits = uploadRules({ max_upload_bytes: 1048576, max_caption_length: 80 });
    expect(fileProblem({ type: 'image/png', size: 1048577 }, limits)).toBe(rules.upload.too_large.replace('{max}', '1 MiB'));
    expect(sayCaptionTooLong(80)).toBe(rules.upload.caption_too_long.replace('{max}', '80'));
  });
});
