import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import App from '../src/App.jsx';
import { jsonResponse, mockFetch } from './helpers.js';

const me = { id: 'u-me', username: 'me', email: 'me@example.com' };

describe('Account', () => {
  it('is reached from the header and posts for the streamed export of my data', async () => {
    window.location.hash = '#/sent';
    mockFetch({
      'GET /api/me': jsonResponse(200, { user: me, unread: 0 }),
      'GET /api/messages': jsonResponse(200, { messages: [], next_cursor: '', unread: 0 }),
    });
    render(<App />);
    const account = await screen.findByRole('link', { name: /Account/ });
    await userEvent.click(account);
    expect(await screen.findByRole('heading', { name: 'Account' })).toBeInTheDocument();
    expect(window.location.hash).toBe('#/account');
    expect(screen.getByRole('link', { name: /Account/ })).toHaveAttribute('aria-current', 'page');
    const card = screen.getByRole('region', { name: 'Export my data' });
    // A plain form POST: the browser downloads the zip as the server streams it, and a link from
    // another site cannot start an export (each one spends the export budget).
    const button = within(card).getByRole('button', { name: 'Download my data (.zip)' });
    expect(button).toHaveAttribute('type', 'submit');
    const form = button.closest('form');
    expect(form).toHaveAttribute('method', 'post');
    expect(form).toHaveAttribute('action', '/api/settings/export');
    expect(within(card).queryByRole('link', { name: 'Download my data (.zip)' })).toBeNull();
  });
});
