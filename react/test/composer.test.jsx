import { describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Composer from '../src/screens/Composer.jsx';
import Conversation from '../src/screens/Conversation.jsx';
import { installFakeXHR, jsonResponse, mockFetch, msg } from './helpers.js';

const png = (name = 'cat.png') => new File([new Uint8Array(3000)], name, { type: 'image/png' });

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
    await waitFor(() => expect(onSent).toHaveBeenCalledWith([{ id: 'm1', quote_id: 'q1' }]));
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

  it('sends several images as one album, refusing an eleventh or a file that is not an image by name', async () => {
    const XHR = installFakeXHR();
    const onPending = vi.fn();
    const onSent = vi.fn();
    render(<Composer to="bob" limits={{ image_types: ['image/png'] }} onUnquote={vi.fn()} onPending={onPending} onSent={onSent} />);
    const input = screen.getByLabelText('Image file');
    expect(input).toHaveAttribute('multiple');

    const eleven = Array.from({ length: 11 }, (_, i) => png(`p${i}.png`));
    await userEvent.upload(input, eleven);
    expect(await screen.findByRole('alert')).toHaveTextContent('Send at most 10 images at once; you chose 11.');
    const anyFile = userEvent.setup({ applyAccept: false }); // as a drop would: the input's accept does not filter it
    await anyFile.upload(input, [png('a.png'), new File(['hi'], 'notes.txt', { type: 'text/plain' }), png('c.png')]);
    expect(await screen.findByRole('alert')).toHaveTextContent('Image 2 (notes.txt) was refused');

    await userEvent.upload(input, [png('a.png'), png('b.png'), png('c.png')]);
    expect(screen.getByTestId('chosen-file')).toHaveTextContent('3 images: a.png, b.png, c.png');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const xhr = XHR.instances[0];
    expect(xhr.body.getAll('image').map((f) => f.name)).toEqual(['a.png', 'b.png', 'c.png']);
    expect(onPending).toHaveBeenLastCalledWith(expect.objectContaining({ count: 3 }));
    const album = [{ id: 'm1', album_id: 'al' }, { id: 'm2', album_id: 'al' }, { id: 'm3', album_id: 'al' }];
    act(() => xhr.respond(201, { message: album[0], album: { id: 'al', messages: album } }));
    await waitFor(() => expect(onSent).toHaveBeenCalledWith(album));
  });

  it('takes images pasted anywhere on the page, joining those chosen, and ignores pasted text', async () => {
    const XHR = installFakeXHR();
    render(<Composer to="bob" limits={{ image_types: ['image/png'] }} onUnquote={vi.fn()} onPending={vi.fn()} onSent={vi.fn()} />);
    await userEvent.upload(screen.getByLabelText('Image file'), png('chosen.png'));
    const paste = (files) => {
      const e = new Event('paste', { bubbles: true });
      e.clipboardData = { files };
      act(() => window.dispatchEvent(e));
    };
    paste([new File(['words'], 'words.txt', { type: 'text/plain' })]);
    expect(screen.getByTestId('chosen-file')).toHaveTextContent('chosen.png');
    expect(screen.getByTestId('chosen-file')).not.toHaveTextContent('words.txt');
    expect(screen.queryByRole('alert')).toBeNull();
    paste([png('screenshot.png')]);
    expect(screen.getByTestId('chosen-file')).toHaveTextContent('2 images: chosen.png, screenshot.png');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(XHR.instances[0].body.getAll('image').map((f) => f.name)).toEqual(['chosen.png', 'screenshot.png']);
  });
});

describe('Conversation: albums', () => {
  it('shows an album as one item, a grid of its images each opening its message', async () => {
    const album = ['a1', 'a2', 'a3'].map((id) => ({ ...msg(id, 'bob'), album_id: 'al' }));
    mockFetch({
      'GET /api/conversations/bob': jsonResponse(200, { with: { id: 'u-bob', username: 'bob' }, messages: [msg('m0', 'bob'), ...album], next_cursor: '' }),
      'GET /api/settings/blocked': jsonResponse(200, { users: [] }),
    });
    render(<Conversation username="bob" me={{ id: 'u-me', username: 'me' }} />);
    const group = await screen.findByRole('group', { name: /^Album of 3 images/ });
    expect(screen.getByRole('list', { name: 'Images with bob' }).children).toHaveLength(2);
    const links = within(group).getAllByRole('link', { name: /^Image \d of 3$/ });
    expect(links.map((a) => a.id)).toEqual(['m-a1', 'm-a2', 'm-a3']);
    expect(links[1]).toHaveAttribute('href', '#/messages/a2');
  });
});
