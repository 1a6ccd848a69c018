// The React client says and does what the server pages do (issue 18 items 5, 7, 8, 13):
// password reset, notices that never outlive a new action, the conversation screen.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import App from '../src/App.jsx';
import Login from '../src/screens/Login.jsx';
import Forgot from '../src/screens/Forgot.jsx';
import Reset from '../src/screens/Reset.jsx';
import Conversation from '../src/screens/Conversation.jsx';
import Send from '../src/screens/Send.jsx';
import { blobFromDataUrl } from '../src/lib/objectUrl.js';
import { hrefFor, parseHash } from '../src/lib/route.js';
import { apiError, jsonResponse, mockFetch, msg } from './helpers.js';

const body = (f, i = -1) => JSON.parse(f.mock.calls.at(i)[1].body);
const wrongCode = () =>
  apiError(400, 'invalid', 'That code did not work: it is wrong, has expired or was used already. Check the latest email, or ask for a new code. If your email is confirmed already, log in.');

describe('password reset', () => {
  it('the login screen links to it, with the username typed so far', async () => {
    render(<Login params={{}} onLoggedIn={vi.fn()} go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    expect(screen.getByRole('link', { name: 'Forgot your password?' })).toHaveAttribute('href', '#/forgot?username=alice');
  });

  it('asks for a code, then moves to the reset screen with the server pages\' notice', async () => {
    const f = mockFetch({ 'POST /api/password/forgot': jsonResponse(202, { sent: true }) });
    const go = vi.fn();
    render(<Forgot go={go} params={{ username: 'alice' }} />);
    expect(screen.getByRole('heading', { name: 'Reset your password' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Email me a code' }));
    await waitFor(() =>
      expect(go).toHaveBeenCalledWith('reset', null, { username: 'alice' }, { kind: 'success', text: 'If that account exists, we emailed it a code.' }),
    );
    expect(f.mock.calls[0][0]).toBe('/api/password/forgot');
    expect(body(f)).toEqual({ username: 'alice' });
  });

  it('sets the new password with the code, then goes to login', async () => {
    const f = mockFetch({ 'POST /api/password/reset': new Response(null, { status: 204 }) });
    const go = vi.fn();
    render(<Reset go={go} params={{ username: 'alice' }} />);
    await userEvent.type(screen.getByLabelText('Code'), '123456');
    await userEvent.type(screen.getByLabelText('New password'), 'a new long password');
    await userEvent.click(screen.getByRole('button', { name: 'Set password' }));
    await waitFor(() =>
      expect(go).toHaveBeenCalledWith('login', null, { username: 'alice' }, { kind: 'success', text: 'Password changed. Log in with the new one.' }),
    );
    expect(f.mock.calls[0][0]).toBe('/api/password/reset');
    expect(body(f)).toEqual({ username: 'alice', code: '123456', password: 'a new long password' });
  });

  it('keeps the code after a password-policy error or a rate limit, and clears it only when the code was wrong', async () => {
    const f = mockFetch({
      'POST /api/password/reset': [apiError(429, 'rate_limited', 'Too many attempts.', { 'Retry-After': '30' }), wrongCode()],
    });
    render(<Reset go={vi.fn()} params={{ username: 'alice' }} />);
    const code = screen.getByLabelText('Code');
    await userEvent.type(code, '123456');
    await userEvent.type(screen.getByLabelText('New password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Set password' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Passwords need at least 10 characters.');
    expect(code).toHaveValue('123456');
    expect(f).not.toHaveBeenCalled();

    await userEvent.type(screen.getByLabelText('New password'), ' but longer now');
    await userEvent.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText(/Too many attempts/)).toBeInTheDocument();
    expect(code).toHaveValue('123456');

    await userEvent.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText(/That code did not work/)).toBeInTheDocument();
    expect(code).toHaveValue('');
    expect(code).toHaveFocus();
    expect(screen.getByLabelText('Username')).toHaveValue('alice');
  });
});

describe('notices', () => {
  const me = { id: 'u-me', username: 'me', email: 'me@example.com' };

  it('an old success notice goes when a new action fails, so it never sits above the new error', async () => {
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/messages': jsonResponse(200, { messages: [], next_cursor: '', unread: 0 }),
      'POST /api/logout': new Response(null, { status: 204 }),
      'POST /api/login': apiError(401, 'unauthorized', 'Wrong username or password.'),
    });
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('status')).toHaveTextContent('You are logged out.');
    await userEvent.type(screen.getByLabelText('Username'), 'me');
    await userEvent.type(screen.getByLabelText('Password'), 'not the password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(screen.queryByText('You are logged out.')).not.toBeInTheDocument();
  });

  it('in the reset flow too: the "we emailed a code" notice goes with a wrong code', async () => {
    window.location.hash = '#/forgot?username=alice';
    mockFetch({
      'GET /api/me': apiError(401, 'unauthorized', 'Log in first.'),
      'POST /api/password/forgot': jsonResponse(202, { sent: true }),
      'POST /api/password/reset': wrongCode(),
    });
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Email me a code' }));
    expect(await screen.findByRole('heading', { name: 'Choose a new password' })).toBeInTheDocument();
    expect(window.location.hash).toBe('#/reset?username=alice');
    expect(screen.getByRole('status')).toHaveTextContent('If that account exists, we emailed it a code.');
    await userEvent.type(screen.getByLabelText('Code'), '654321');
    await userEvent.type(screen.getByLabelText('New password'), 'a new long password');
    await userEvent.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That code did not work');
    expect(screen.queryByText('If that account exists, we emailed it a code.')).not.toBeInTheDocument();
  });
});

describe('conversation', () => {
  const me = { id: 'u-me', username: 'me' };
  const thumb = 'data:image/jpeg;base64,/9j/2w==';
  const mine = (id, opts) => ({ ...msg(id, 'me', { to: 'bob', ...opts }), thumbnail: thumb });
  const theirs = (id, opts) => msg(id, 'bob', opts);
  const page = (messages, next = '') => jsonResponse(200, { with: { id: 'u-bob', username: 'bob' }, messages, next_cursor: next });

  it('shows the images both ways, newest last: mine right with Sent/Opened, theirs left; Load earlier; Reply', async () => {
    const f = mockFetch({
      'GET /api/conversations/bob': [
        page([{ ...theirs('3', { sent: '2025-01-03T00:00:00Z' }), snippet: 'At the lake' }, mine('4', { sent: '2025-01-04T00:00:00Z' }), mine('5', { read: true, sent: '2025-01-05T00:00:00Z' })], 'older'),
        page([theirs('1', { read: true, sent: '2025-01-01T00:00:00Z' }), mine('2', { sent: '2025-01-02T00:00:00Z' })]),
      ],
    });
    render(<Conversation username="bob" me={me} />);
    const list = await screen.findByRole('list', { name: 'Images with bob' });
    let items = within(list).getAllByRole('listitem');
    expect(items.map((li) => within(li).getByRole('link').getAttribute('href'))).toEqual(['#/messages/3', '#/messages/4', '#/messages/5']);
    expect(items.map((li) => li.dataset.mine)).toEqual(['false', 'true', 'true']);
    expect(items[0]).toHaveClass('items-start');
    expect(items[1]).toHaveClass('items-end');
    expect(within(items[0]).getByRole('link')).toHaveAccessibleName(/^Image from bob: At the lake, .*, new$/);
    expect(within(items[0]).getByText('At the lake')).toBeInTheDocument(); // the caption's start, as on the server page
    expect(within(items[1]).getByRole('link')).toHaveAccessibleName(/^Image you sent, .*, Delivered$/);
    expect(within(items[2]).getByRole('link')).toHaveAccessibleName(/^Image you sent, .*, Opened$/);
    expect(within(items[0]).getByTestId('thumb-placeholder')).toBeInTheDocument();
    expect(await within(items[1]).findByTestId('thumb')).toBeInTheDocument();
    expect(screen.getByTestId('composer')).toBeInTheDocument(); // replies are written here, not on the Send page
    expect(screen.queryByRole('link', { name: 'Reply with an image' })).not.toBeInTheDocument();
    // The screen also asks GET /api/settings/blocked (for the block step): only the pages count here.
    const pages = () => f.mock.calls.map(([url]) => url).filter((url) => url.startsWith('/api/conversations/'));
    expect(pages()[0]).toBe('/api/conversations/bob');

    await userEvent.click(screen.getByRole('button', { name: 'Load earlier' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(5));
    expect(pages()[1]).toBe('/api/conversations/bob?cursor=older');
    items = within(list).getAllByRole('listitem');
    expect(items.map((li) => within(li).getByRole('link').getAttribute('href'))).toEqual(
      ['1', '2', '3', '4', '5'].map((id) => `#/messages/${id}`),
    );
    expect(screen.queryByRole('button', { name: 'Load earlier' })).not.toBeInTheDocument();
  });

  it('says so for someone who does not exist', async () => {
    mockFetch({ 'GET /api/conversations/nobody': apiError(404, 'not_found', 'Not found.') });
    render(<Conversation username="nobody" me={me} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('There is no one called nobody.');
  });

  it('has a route of its own', () => {
    expect(hrefFor('conversation', 'a.b')).toBe('#/conversations/a.b');
    expect(parseHash('#/conversations/a.b')).toMatchObject({ name: 'conversation', arg: 'a.b' });
    expect(parseHash('#/forgot?username=x')).toMatchObject({ name: 'forgot', params: { username: 'x' } });
    expect(parseHash('#/reset')).toMatchObject({ name: 'reset' });
  });

  it('a view-once image\'s data: URL is decoded to a blob, and nothing but an image is', async () => {
    const blob = blobFromDataUrl('data:image/jpeg;base64,/9j/2w==');
    expect(blob.type).toBe('image/jpeg');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([0xff, 0xd8, 0xff, 0xdb]);
    expect(blobFromDataUrl('data:text/html,<b>x</b>')).toBeNull();
    expect(blobFromDataUrl(undefined)).toBeNull();
  });
});

describe('send', () => {
  it('shows a preview of the chosen image before sending', async () => {
    render(<Send go={vi.fn()} params={{ to: 'bob' }} />);
    expect(screen.queryByRole('img', { name: 'Preview of the chosen image' })).not.toBeInTheDocument();
    await userEvent.upload(screen.getByLabelText('Image file'), new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'cat.png', { type: 'image/png' }));
    expect((await screen.findByRole('img', { name: 'Preview of the chosen image' })).getAttribute('src')).toMatch(/^blob:/);
  });
});
