// A message that is gone (deleted, viewed once, expired) says what happened
// when its screen opens again (Back, reload): the server's 410 sentence,
// never a generic "Not found".

import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import MessageView from '../src/screens/MessageView.jsx';
import { apiError, mockFetch } from './helpers.js';

const me = { id: 'u-me', username: 'me' };

describe('MessageView: a gone message', () => {
  it.each([
    ['deleted', 'You deleted this image.'],
    ['deleted', 'alice deleted this image.'],
    ['viewed_once', 'This image was viewed once and is gone.'],
    ['expired', 'This image expired and is gone for good.'],
  ])('410 %s says "%s"', async (code, sentence) => {
    mockFetch({ 'GET /api/messages/m1': apiError(410, code, sentence) });
    render(<MessageView id="m1" me={me} go={vi.fn()} />);
    expect(await screen.findByRole('heading', { name: 'Image gone' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(sentence);
    expect(screen.queryByText(/not found/i)).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to inbox' })).toBeInTheDocument();
  });
});
