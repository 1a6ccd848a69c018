package web

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"sync"

	"imageapp/app/envelope"
	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

const maxFieldBytes = 4 << 10

// sendFields are the non-file fields of a send, kept to refill the form.
type sendFields map[string]string

// send reads a multipart send (to, image, caption) as a stream and hands it
// to the service. When "to" comes before the file, as browsers and the React
// client send it, the file streams straight into encryption. When a script
// puts the file first (curl -F image=@x -F to=bob), the file is spooled to
// an unlinked temp file, encrypted under a throwaway key, until "to" is known.
func (s *Server) send(w http.ResponseWriter, r *http.Request) (*imageapp.Message, sendFields, error) {
	in := sendFields{}
	from, _ := currentUser(r)
	// The hard stop for the whole body; the image itself is capped exactly below.
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload+1<<20)
	boundary, err := multipartBoundary(r)
	if err != nil {
		return nil, in, imageapp.Errorf(imageapp.EINVALID, "Send the image as a multipart/form-data upload with fields to, image and caption.")
	}
	buf := uploadBuffers.Get().(*bufio.Reader)
	buf.Reset(r.Body)
	defer func() {
		buf.Reset(nil)
		uploadBuffers.Put(buf)
	}()
	mr := multipart.NewReader(buf, boundary)
	var spooled *spool
	defer func() {
		if spooled != nil {
			spooled.Close()
		}
	}()
	var filename string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, in, uploadError(err)
		}
		switch name := part.FormName(); name {
		case "to", "caption":
			if in[name], err = readField(part); err != nil {
				return nil, in, err
			}
		case "image":
			if spooled != nil {
				return nil, in, imageapp.Errorf(imageapp.EINVALID, "Send one image per message.")
			}
			filename = part.FileName()
			body := &uploadReader{r: &capReader{r: part, left: s.maxUpload, limit: s.maxUpload}}
			if in["to"] != "" {
				m, err := s.svc.Send(r.Context(), from, messaging.SendInput{
					To: in["to"], Filename: filename, Body: body,
					LateCaption: func() (string, error) { return restCaption(mr, in) },
				})
				if err != nil && body.err != nil {
					// The upload failed (too large, too slow, cut off), whichever
					// step was reading it: say that, not what the step made of it.
					err = uploadError(body.err)
				}
				return m, in, err
			}
			if spooled, err = newSpool(body); err != nil {
				return nil, in, err
			}
		}
	}
	if spooled == nil {
		return nil, in, imageapp.Errorf(imageapp.EINVALID, "Choose an image to send.")
	}
	body, err := spooled.Reader()
	if err != nil {
		return nil, in, err
	}
	m, err := s.svc.Send(r.Context(), from, messaging.SendInput{To: in["to"], Caption: in["caption"], Filename: filename, Body: body})
	return m, in, err
}

// uploadBuffers take a send's body off the connection 64 KiB at a read.
// r.MultipartReader reads through a 4 KiB buffer: a read syscall and a pass
// through every reader in the chain per 4 KiB, which made a 10 MiB send
// 1.2-1.3x of the baseline's upload instead of 0.8-1.1x. Pooled, so that
// concurrent sends do not each allocate (and the GC clear) 64 KiB.
var uploadBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// multipartBoundary is what r.MultipartReader accepts, without its reader.
func multipartBoundary(r *http.Request) (string, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "multipart/form-data" && mt != "multipart/mixed") || params["boundary"] == "" {
		return "", http.ErrNotMultipart
	}
	return params["boundary"], nil
}

// restCaption reads the parts after the file, for a caption sent last.
func restCaption(mr *multipart.Reader, in sendFields) (string, error) {
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return in["caption"], nil
		}
		if err != nil {
			return "", uploadError(err)
		}
		switch name := part.FormName(); name {
		case "caption", "to":
			if in[name], err = readField(part); err != nil {
				return "", err
			}
		case "image":
			return "", imageapp.Errorf(imageapp.EINVALID, "Send one image per message.")
		}
	}
}

func readField(p *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
	if err != nil {
		return "", uploadError(err)
	}
	if len(b) > maxFieldBytes {
		return "", imageapp.Errorf(imageapp.EINVALID, "The %s field is too long.", p.FormName())
	}
	return string(b), nil
}

func uploadError(err error) error {
	return bodyError(err, "The upload was cut off or malformed. Try again.")
}

// uploadReader remembers the first error reading the upload gave.
type uploadReader struct {
	r   io.Reader
	err error
}

func (u *uploadReader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err != nil && err != io.EOF && u.err == nil {
		u.err = err
	}
	return n, err
}

// capReader fails with *http.MaxBytesError once more than limit bytes were read,
// so the image is capped exactly while it streams.
type capReader struct {
	r     io.Reader
	left  int64
	limit int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, &http.MaxBytesError{Limit: c.limit}
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, &http.MaxBytesError{Limit: c.limit}
	}
	return n, err
}

// spool holds an upload on disk while the rest of the form arrives. The file
// is unlinked at once and encrypted under a key that lives only in memory,
// so the plaintext never touches the disk and nothing outlives the request.
type spool struct {
	f   *os.File
	key []byte
	ctx envelope.Context
}

func newSpool(r io.Reader) (*spool, error) {
	f, err := os.CreateTemp("", "imageapp-spool-*")
	if err != nil {
		return nil, fmt.Errorf("web: spool: %w", err)
	}
	os.Remove(f.Name())
	sp := &spool{f: f, key: make([]byte, envelope.KeySize), ctx: envelope.Context{App: "spool"}}
	rand.Read(sp.key)
	w, err := envelope.NewWriter(f, sp.key, sp.ctx, envelope.PurposeImage)
	if err == nil {
		_, err = io.Copy(w, r)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		sp.Close()
		return nil, uploadError(err)
	}
	return sp, nil
}

func (sp *spool) Reader() (io.Reader, error) {
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("web: spool: %w", err)
	}
	return envelope.NewReader(sp.f, sp.key, sp.ctx, envelope.PurposeImage)
}

func (sp *spool) Close() {
	clear(sp.key)
	sp.f.Close()
}
