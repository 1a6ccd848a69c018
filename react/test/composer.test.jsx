import { describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Composer from '../src/screens/Composer.jsx';
import { installFakeXHR } from './helpers.js';

const png = () => new File([new Uint8Array(3000)], 'cat.png', { type: 'image/png' });

describe('Composer', () => {
  it('sends to the other person through POST /api/messages, quote and keep before the image, showing the upload', async () => {
    const XHR = installFakeXHR();
    const onPending = vi.fn();
    const onSent = vi.fn();
    render(<Composer to="bob" quote={{ id: 'q1' }} onUnquote={vi.fn()} onPending={onPending} onSent={onSent} />);
    expect(screen.getByText('Replying to this image')).toBeInTheDocument();
    await userEvent.upload(screen.getByLabelText('Image file'), png());
    await userEvent.type(screen.getByLabelText('Caption (optional)'), 'this one');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));

    const xhr = XHR.instances[0];
    expect(xhr.url).toBe('/api/messages');
    expect([...xhr.body.keys()]).toEqual(['to', 'keep', 'quote', 'image', 'caption']);
    expect(xhr.body.get('to')).toBe('bob');
    expect(xhr.body.get('quote')).toBe('q1');
    expect(onPending).toHaveBeenLastCalledWith(expect.objectContaining({ caption: 'this one', progress: 0 }));
    act(() => xhr.progress(40, 100));
    expect(onPending).toHaveBeenLastCalledWith(expect.objectContaining({ progress: 0.4 }));
    act(() => xhr.respond(201, { message: { id: 'm1', quote_id: 'q1' } }));
    await waitFor(() => expect(onSent).toHaveBeenCalledWith({ id: 'm1', quote_id: 'q1' }));
    expect(onPending).toHaveBeenLastCalledWith(null);
    expect(screen.getByLabelText('Caption (optional)')).toHaveValue('');
  });

  it('drops the quote when the server says the quoted image is gone, and Cancel ends the upload', async () => {
    const XHR = installFakeXHR();
    const onUnquote = vi.fn();
    const onPending = vi.fn();
    render(<Composer to="bob" quote={{ id: 'q1' }} onUnquote={onUnquote} onPending={onPending} onSent={vi.fn()} />);
    await userEvent.upload(screen.getByLabelText('Image file'), png());
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    act(() => XHR.instances[0].respond(400, { error: { code: 'invalid', message: 'The image you are replying to is gone. Send without the quote, or reply to another image.' } }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The image you are replying to is gone.');
    expect(onUnquote).toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(XHR.instances[1].aborted).toBe(true);
    expect(await screen.findByRole('alert')).toHaveTextContent('Upload cancelled.');
    expect(onPending).toHaveBeenLastCalledWith(null);
  });
});
