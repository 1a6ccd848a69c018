import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import App from '../src/App.jsx';
import { jsonResponse, mockFetch } from './helpers.js';

const me = { id: 'u-me', username: 'me', email: 'me@example.com' };

function renderInbox(storage) {
  window.location.hash = '#/inbox';
  mockFetch({
    'GET /api/me': jsonResponse(200, { user: me, unread: 0, storage }),
    'GET /api/messages': jsonResponse(200, { messages: [], next_cursor: '', unread: 0 }),
    'GET /api/requests': jsonResponse(200, { requests: [] }),
  });
  render(<App />);
}

describe('Inbox storage notice', () => {
  it('says when my storage is full and links to my message requests', async () => {
    renderInbox({ used_bytes: 2048, quota_bytes: 1024, full: true, request_bytes: 2048 });
    const notice = await screen.findByTestId('storage-full');
    expect(notice).toHaveTextContent('Your storage is full');
    expect(notice.querySelector('a')).toHaveAttribute('href', '#/requests');
  });

  it('says nothing while my storage has room', async () => {
    renderInbox({ used_bytes: 10, quota_bytes: 1024, full: false, request_bytes: 0 });
    expect(await screen.findByRole('heading', { name: 'Inbox' })).toBeInTheDocument();
    expect(screen.queryByTestId('storage-full')).toBeNull();
  });
});
