import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import App from '../src/App.jsx';
import { apiError, jsonResponse, mockFetch, msg } from './helpers.js';

const alice = { id: 'u-me', username: 'me', email: 'me@example.com' };
const inbox = (unread = 1) =>
  jsonResponse(200, { messages: unread ? [msg('m1', 'bob')] : [msg('m1', 'bob', { read: true })], next_cursor: '', unread });

describe('App', () => {
  it('shows the login screen when there is no session, and says how images are protected', async () => {
    mockFetch({ 'GET /api/me': apiError(401, 'unauthorized', 'Log in first.') });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByText('Images are encrypted at rest with a per-recipient key.')).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/end-to-end/i);
    expect(screen.queryByRole('navigation')).not.toBeInTheDocument();
  });

  it('logs in, then opens the page that was asked for', async () => {
    window.location.hash = '#/sent';
    mockFetch({
      'GET /api/me': [apiError(401, 'unauthorized', 'Log in first.'), jsonResponse(200, { user: alice, unread: 2 })],
      'POST /api/login': jsonResponse(200, { user: alice }),
      'GET /api/messages': jsonResponse(200, { messages: [], next_cursor: '', unread: 0 }),
    });
    render(<App />);
    await userEvent.type(await screen.findByLabelText('Username'), 'me');
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('heading', { name: 'Sent' })).toBeInTheDocument();
    expect(window.location.hash).toBe('#/sent');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    await waitFor(() => expect(within(nav).getByLabelText('2 unread')).toBeInTheDocument());
    expect(within(nav).getByRole('link', { name: 'Sent' })).toHaveAttribute('aria-current', 'page');
  });

  it('opens the inbox for a signed-in person, the conversation with a sender, and a message from it', async () => {
    const full = { ...msg('m1', 'bob'), caption: 'hello', filename: 'a.png', image_url: '/api/messages/m1/image' };
    mockFetch({
      'GET /api/me': [jsonResponse(200, { user: alice, unread: 1 }), jsonResponse(200, { user: alice, unread: 0 })],
      'GET /api/messages': inbox(1),
      'GET /api/conversations/bob': jsonResponse(200, { with: { id: 'u-bob', username: 'bob' }, messages: [msg('m1', 'bob')], next_cursor: '' }),
      'GET /api/messages/m1': jsonResponse(200, { message: full }),
    });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Inbox' })).toBeInTheDocument();
    await userEvent.click(await screen.findByRole('link', { name: /Images from ?bob/ }));
    expect(window.location.hash).toBe('#/conversations/bob');
    await userEvent.click(await screen.findByRole('link', { name: /Image from bob/ }));
    expect(await screen.findByRole('img', { name: 'hello' })).toHaveAttribute('src', '/api/messages/m1/image');
    // opening marks it read: the header count refreshes from /api/me
    await waitFor(() => expect(screen.queryByLabelText('1 unread')).not.toBeInTheDocument());
  });

  it('logs out', async () => {
    const f = mockFetch({
      'GET /api/me': jsonResponse(200, { user: alice, unread: 0 }),
      'GET /api/messages': inbox(0),
      'POST /api/logout': new Response(null, { status: 204 }),
    });
    render(<App />);
    await userEvent.click(await screen.findByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('You are logged out.');
    expect(f.mock.calls.some(([u, i]) => u === '/api/logout' && i.method === 'POST')).toBe(true);
  });

  it('returns to login when the session expires mid-use', async () => {
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: alice, unread: 0 }),
      'GET /api/messages': apiError(401, 'unauthorized', 'Log in first.'),
    });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Your session ended');
  });

  it('offers a retry when the server cannot be reached', async () => {
    mockFetch({
      'GET /api/me': [new Response('oops', { status: 500 }), apiError(401, 'unauthorized', 'Log in first.')],
    });
    render(<App />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Something went wrong (HTTP 500).');
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
  });
});
