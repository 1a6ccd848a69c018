// Two-factor sign-in (issue 29, item 4): the login asks for the code when the API says so, and
// the Account screen's card sets it up (QR code and key from the server, a code, the recovery
// codes once) and turns it off with the password and a code.

import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Login from '../src/screens/Login.jsx';
import TwoFactor, { TWO_FACTOR_OFF, groupSecret } from '../src/screens/TwoFactor.jsx';
import { apiError, jsonResponse, mockFetch } from './helpers.js';

const body = (f, i = -1) => JSON.parse(f.mock.calls.at(i)[1].body);
const user = { id: '1', username: 'alice', email: 'a@x' };

describe('Login with two-factor', () => {
  it('asks for the code after the password, and a wrong one can be tried again', async () => {
    const f = mockFetch({
      'POST /api/login': jsonResponse(200, { second_factor: true, token: 'tok', expires_in: 300 }),
      'POST /api/login/code': [
        apiError(401, 'unauthorized', 'That code is not right. Type the 6 digits your app shows now, or a recovery code.'),
        jsonResponse(200, { user }),
      ],
    });
    const onLoggedIn = vi.fn();
    render(<Login params={{}} next="/sent" onLoggedIn={onLoggedIn} go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Username'), 'alice');
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    const code = await screen.findByLabelText('Code');
    expect(screen.getByRole('heading', { name: 'Enter your code' })).toBeInTheDocument();
    expect(code).toHaveFocus();
    expect(code).toHaveAccessibleDescription('A recovery code also works.');
    expect(onLoggedIn).not.toHaveBeenCalled();

    await userEvent.type(code, '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is not right.');
    expect(body(f)).toEqual({ token: 'tok', code: '000000' });

    await userEvent.type(screen.getByLabelText('Code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith(user, '/sent'));
    expect(body(f)).toEqual({ token: 'tok', code: '123456' });
  });

  it('starts over on the password form', async () => {
    mockFetch({ 'POST /api/login': jsonResponse(200, { second_factor: true, token: 'tok', expires_in: 300 }) });
    render(<Login params={{ username: 'alice' }} onLoggedIn={vi.fn()} go={vi.fn()} />);
    await userEvent.type(screen.getByLabelText('Password'), 'secret-password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Start over' }));
    expect(screen.getByLabelText('Password')).toHaveValue('');
    expect(screen.getByLabelText('Username')).toHaveValue('alice');
  });
});

describe('The two-factor card', () => {
  it('sets up with the QR code and the key, then shows the recovery codes once', async () => {
    const codes = Array.from({ length: 10 }, (_, i) => `code-${i}`);
    const f = mockFetch({
      'GET /api/settings/two-factor': jsonResponse(200, { two_factor: { enabled: false } }),
      'POST /api/settings/two-factor/enrol': jsonResponse(200, { secret: 'JBSWY3DPEHPK3PXP', otpauth_url: 'otpauth://totp/x', qr: 'data:image/png;base64,iVBORw0K' }),
      'POST /api/settings/two-factor/confirm': [apiError(403, 'forbidden', 'That code is not right.'), jsonResponse(200, { two_factor: { enabled: true }, recovery_codes: codes })],
    });
    render(<TwoFactor />);
    await userEvent.click(await screen.findByRole('button', { name: 'Set up two-factor' }));
    expect(await screen.findByRole('img', { name: 'QR code of your two-factor key' })).toHaveAttribute('src', 'data:image/png;base64,iVBORw0K');
    expect(screen.getByText('JBSW Y3DP EHPK 3PXP')).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Code from your app'), '000000');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on two-factor' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is not right.');

    await userEvent.clear(screen.getByLabelText('Code from your app'));
    await userEvent.type(screen.getByLabelText('Code from your app'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Turn on two-factor' }));
    const list = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(10);
    expect(body(f)).toEqual({ code: '123456' });

    await userEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(screen.queryByRole('list', { name: 'Recovery codes' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Turn off two-factor' })).toBeInTheDocument();
  });

  it('turns off with the password and a code', async () => {
    const f = mockFetch({
      'GET /api/settings/two-factor': jsonResponse(200, { two_factor: { enabled: true } }),
      'DELETE /api/settings/two-factor': new Response(null, { status: 204 }),
    });
    render(<TwoFactor />);
    await userEvent.type(await screen.findByLabelText('Password'), 'secret-password');
    await userEvent.type(screen.getByLabelText('Code from your app, or a recovery code'), '123456');
    await userEvent.click(screen.getByRole('button', { name: 'Turn off two-factor' }));
    expect(await screen.findByText(TWO_FACTOR_OFF)).toBeInTheDocument();
    expect(body(f)).toEqual({ password: 'secret-password', code: '123456' });
    expect(screen.getByRole('button', { name: 'Set up two-factor' })).toBeInTheDocument();
  });

  it('groups the key in fours', () => {
    expect(groupSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
    expect(groupSecret('ABCDEFGH')).toBe('ABCD EFGH');
  });
});
