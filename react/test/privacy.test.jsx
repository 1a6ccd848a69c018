import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import App from '../src/App.jsx';
import Sent from '../src/screens/Sent.jsx';
import { jsonResponse, mockFetch } from './helpers.js';

const me = { id: 'u-me', username: 'me', email: 'me@example.com' };

afterEach(() => vi.unstubAllGlobals());

describe('Privacy settings', () => {
  it('shows the stored settings on Account and saves both with PUT /api/settings/privacy', async () => {
    window.location.hash = '#/account';
    const puts = [];
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: true, listed: true } }),
      'PUT /api/settings/privacy': (url, init) => {
        const body = JSON.parse(init.body);
        puts.push(body);
        return jsonResponse(200, { privacy: body });
      },
    });
    render(<App />);
    const card = await screen.findByRole('region', { name: 'Privacy' });
    const receipts = await within(card).findByRole('checkbox', { name: 'Send read receipts' });
    const listed = within(card).getByRole('checkbox', { name: 'Show me in the people directory' });
    expect(receipts).toBeChecked();
    expect(listed).toBeChecked();
    expect(receipts).toHaveAccessibleDescription(/see “Delivered”/);
    expect(listed).toHaveAccessibleDescription(/exact username/);
    const save = within(card).getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled(); // nothing changed yet

    await userEvent.click(receipts);
    await userEvent.click(listed);
    await userEvent.click(save);
    expect(await within(card).findByText('Privacy settings saved.')).toBeInTheDocument();
    expect(puts).toEqual([{ read_receipts: false, listed: false }]);
    expect(receipts).not.toBeChecked();
    expect(listed).not.toBeChecked();
  });

  it('says what went wrong when saving fails, and keeps the boxes as set', async () => {
    window.location.hash = '#/account';
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/settings/privacy': jsonResponse(200, { privacy: { read_receipts: false, listed: true } }),
      'PUT /api/settings/privacy': jsonResponse(503, { error: { code: 'unavailable', message: 'Try again in a moment.' } }),
    });
    render(<App />);
    const card = await screen.findByRole('region', { name: 'Privacy' });
    const receipts = await within(card).findByRole('checkbox', { name: 'Send read receipts' });
    expect(receipts).not.toBeChecked();
    await userEvent.click(receipts);
    await userEvent.click(within(card).getByRole('button', { name: 'Save' }));
    expect(await within(card).findByRole('alert')).toHaveTextContent('Try again in a moment.');
    expect(receipts).toBeChecked();
  });
});

describe('Sent without read state', () => {
  it('labels a message with no read_at "Delivered", never "Opened"', async () => {
    mockFetch({
      'GET /api/messages': jsonResponse(200, {
        messages: [
          { id: 'm1', from: me, to: { id: 'u-b', username: 'bob' }, sent_at: '2026-11-30T10:00:00Z', read_at: null, content_type: 'image/png', size: 10 },
        ],
        next_cursor: '',
        unread: 0,
      }),
    });
    render(<Sent />);
    const list = await screen.findByRole('list', { name: 'Sent messages' });
    expect(within(list).getByText('Delivered')).toBeInTheDocument();
    expect(within(list).queryByText(/Opened/)).not.toBeInTheDocument();
  });
});
