package web

import (
	"bufio"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"sync"

	"imageapp/app/imageapp"
	"imageapp/app/messaging"
)

const maxFieldBytes = 4 << 10

// sendForm is the non-file fields of a send, kept to refill the form.
type sendForm struct {
	To      string // the recipient's username
	Caption string
	Keep    string // how long it lives: keep, 1h, 1d, 7d, once (imageapp.ParseKeep)
	Quote   string // the message it replies to; like "to", before the image

	answered <-chan struct{} // closed once the answer is flushed (messaging.SendInput.Answered)

	album []*imageapp.Message // every message of the send, in order (one for a single image)
}

// Album is every message the send stored, in order: one for a single
// image, several (sharing an AlbumID) for an album; none after a failure
// or for a replayed send.
func (f *sendForm) Album() []*imageapp.Message { return f.album }

// set stores a field read from the upload; other names are ignored.
func (f *sendForm) set(name, value string) {
	switch name {
	case "to":
		f.To = value
	case "caption":
		f.Caption = value
	case "keep":
		f.Keep = value
	case "quote":
		f.Quote = value
	}
}

// SendUpload reads a multipart send (to, image, caption) as a stream and hands it
// to the service. When "to" comes before the file, as browsers and the React
// client send it, the file streams straight into encryption. When a script
// puts the file first (curl -F image=@x -F to=bob), the file is spooled to
// an unlinked temp file, encrypted under a throwaway key, until "to" is known.
//
// A send with an Idempotency-Key header runs once per key (see
// messaging.Service.SendOnce): a retry gets the first send's message, with
// the header Idempotent-Replayed, and its upload is not read.
func (s *Server) SendUpload(w http.ResponseWriter, r *http.Request, answered <-chan struct{}) (*imageapp.Message, *sendForm, error) {
	in := &sendForm{answered: answered}
	if s.drain.draining() {
		w.Header().Set("Connection", "close") // the body is not read
		return nil, in, errDraining
	}
	from, _ := CurrentUser(r)
	m, replayed, err := s.messaging.SendOnce(r.Context(), from, r.Header.Get("Idempotency-Key"), func() (*imageapp.Message, error) {
		return s.sendUpload(w, r, in)
	})
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		w.Header().Set("Connection", "close") // the body is not read
	}
	return m, in, err
}

// sendUpload takes the send from the sender's budgets and sends the upload.
func (s *Server) sendUpload(w http.ResponseWriter, r *http.Request, in *sendForm) (*imageapp.Message, error) {
	if err := s.limitSend(r); err != nil {
		return nil, err
	}
	untrack := s.drain.track(w, r)
	defer untrack()
	// The hard stop for the whole body; the image itself is capped exactly below.
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload*messaging.MaxAlbumImages+1<<20)
	boundary, err := multipartBoundary(r)
	if err != nil {
		return nil, imageapp.Errorf(imageapp.EINVALID, "Send the image as a multipart/form-data upload with fields to, image and caption.")
	}
	buf := uploadBuffers.Get().(*bufio.Reader)
	buf.Reset(r.Body)
	defer func() {
		buf.Reset(nil)
		uploadBuffers.Put(buf)
	}()
	gate := &partGate{r: buf}
	m, err := s.sendParts(r, &parts{mr: multipart.NewReader(gate, boundary), gate: gate}, in)
	if err != nil && s.drain.wasCut() {
		// Cut by the drain, whatever step noticed: say so, so the client
		// sends again instead of reporting a broken image.
		w.Header().Set("Connection", "close")
		return nil, errDraining
	}
	return m, err
}

// maxPartHeaderBytes bounds what the multipart reader may take from the
// body while it looks for the next part: the boundary line and the part's
// headers (and a preamble). mime/multipart allows a part 10 MiB of headers
// and holds them all, about twice over, in memory; a browser sends a few
// hundred bytes. (The reader's own 4 KiB of read-ahead comes on top.)
const maxPartHeaderBytes = 16 << 10

// errPartHeaderTooLarge refuses a part whose headers exceed maxPartHeaderBytes.
var errPartHeaderTooLarge = &StatusError{http.StatusRequestEntityTooLarge, imageapp.ETOOLARGE,
	"A part of the upload has headers larger than " + HumanBytes(maxPartHeaderBytes) + "."}

// parts reads a send's parts, each part's headers under the gate's limit.
type parts struct {
	mr   *multipart.Reader
	gate *partGate
	last *multipart.Part
}

// next is the next part, or io.EOF. What is left of the last part is read
// (and dropped) first, outside the headers' limit.
func (ps *parts) next() (*multipart.Part, error) {
	if ps.last != nil {
		if _, err := io.Copy(io.Discard, ps.last); err != nil {
			return nil, err
		}
	}
	ps.gate.left, ps.gate.counting = maxPartHeaderBytes, true
	p, err := ps.mr.NextPart()
	ps.gate.counting = false
	if ps.gate.tripped {
		return nil, errPartHeaderTooLarge
	}
	ps.last = p
	return p, err
}

// partGate passes the body to the multipart reader, counting (and
// capping) only while it reads between parts.
type partGate struct {
	r        io.Reader
	counting bool
	left     int64
	tripped  bool
}

func (g *partGate) Read(p []byte) (int, error) {
	if !g.counting {
		return g.r.Read(p)
	}
	if g.left <= 0 {
		g.tripped = true
		return 0, errPartHeaderTooLarge
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, err := g.r.Read(p)
	g.left -= int64(n)
	return n, err
}

// sendParts reads the form's parts in order until the images can be sent:
// one "image" part, or up to messaging.MaxAlbumImages of them (an album).
func (s *Server) sendParts(r *http.Request, mr *parts, in *sendForm) (*imageapp.Message, error) {
	var spooled []*messaging.UploadSpool
	var names []string
	defer func() {
		for _, sp := range spooled {
			sp.Close()
		}
	}()
	for {
		part, err := mr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, uploadError(err)
		}
		switch part.FormName() {
		case "to", "caption", "keep", "quote":
			if err := readField(part, in); err != nil {
				return nil, err
			}
		case "image":
			if in.To != "" && len(spooled) == 0 {
				return s.sendStreaming(r, mr, in, part)
			}
			if len(spooled) == messaging.MaxAlbumImages {
				return nil, messaging.ErrTooManyImages()
			}
			if len(spooled) > 0 {
				if err := s.limitMoreSends(r); err != nil {
					return nil, err
				}
			}
			body := &uploadReader{r: &capReader{r: part, left: s.maxUpload, limit: s.maxUpload}}
			sp, err := spool(body)
			if err != nil {
				return nil, err
			}
			spooled, names = append(spooled, sp), append(names, part.FileName())
		}
	}
	if len(spooled) == 0 {
		return nil, imageapp.Errorf(imageapp.EINVALID, "Choose an image to send.")
	}
	from, _ := CurrentUser(r)
	i := 0
	sent, err := s.messaging.SendAlbum(r.Context(), from, messaging.AlbumInput{
		To: in.To, Caption: in.Caption, Keep: in.Keep, QuoteID: in.Quote, Answered: in.answered,
		Next: func() (string, io.Reader, error) {
			if i == len(spooled) {
				return "", nil, io.EOF
			}
			body, err := spooled[i].Reader()
			if err != nil {
				return "", nil, err
			}
			i++
			return names[i-1], body, nil
		},
	})
	return in.sent(sent, err)
}

// sent keeps the messages of a send and answers with its first.
func (f *sendForm) sent(album []*imageapp.Message, err error) (*imageapp.Message, error) {
	if err != nil {
		return nil, err
	}
	f.album = album
	return album[0], nil
}

// sendStreaming sends the images while they arrive, first the one in
// part, then any that follow it; a caption (or keep) after them is read
// when the service asks for it.
func (s *Server) sendStreaming(r *http.Request, mr *parts, in *sendForm, part *multipart.Part) (*imageapp.Message, error) {
	from, _ := CurrentUser(r)
	var body *uploadReader // the image being read
	images := 0
	open := func(p *multipart.Part) (string, io.Reader, error) {
		images++
		if images > 1 && images <= messaging.MaxAlbumImages {
			if err := s.limitMoreSends(r); err != nil {
				return "", nil, err
			}
		}
		body = &uploadReader{r: &capReader{r: p, left: s.maxUpload, limit: s.maxUpload}}
		return p.FileName(), body, nil
	}
	first := part
	sent, err := s.messaging.SendAlbum(r.Context(), from, messaging.AlbumInput{
		To: in.To, Keep: in.Keep, QuoteID: in.Quote, Answered: in.answered,
		Next: func() (string, io.Reader, error) {
			if first != nil {
				p := first
				first = nil
				return open(p)
			}
			for {
				p, err := mr.next()
				if err == io.EOF {
					return "", nil, io.EOF
				}
				if err != nil {
					return "", nil, uploadError(err)
				}
				switch p.FormName() {
				case "caption", "to", "keep", "quote":
					if err := readField(p, in); err != nil {
						return "", nil, err
					}
				case "image":
					return open(p)
				}
			}
		},
		Rest: func() (messaging.Rest, error) { return messaging.Rest{Caption: in.Caption, Keep: in.Keep}, nil },
	})
	if err != nil && body != nil && body.err != nil {
		// The upload failed (too large, too slow, cut off), whichever step
		// was reading it: say that, not what the step made of it.
		err = uploadError(body.err)
	}
	return in.sent(sent, err)
}

// spool holds the image until the recipient is known.
func spool(body io.Reader) (*messaging.UploadSpool, error) {
	sp, err := messaging.NewUploadSpool()
	if err != nil {
		return nil, err
	}
	if _, err := sp.ReadFrom(body); err != nil {
		sp.Close()
		return nil, uploadError(err)
	}
	return sp, nil
}

// uploadBuffers take a send's body off the connection 64 KiB at a read.
// r.MultipartReader reads through a 4 KiB buffer: a read syscall and a pass
// through every reader in the chain per 4 KiB (the benchmark's send rows
// show the cost). Pooled, so that concurrent sends do not each allocate (and
// the GC clear) 64 KiB.
var uploadBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// multipartBoundary is what r.MultipartReader accepts, without its reader.
func multipartBoundary(r *http.Request) (string, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "multipart/form-data" && mt != "multipart/mixed") || params["boundary"] == "" {
		return "", http.ErrNotMultipart
	}
	return params["boundary"], nil
}

// readField reads a text field of the send into in.
func readField(p *multipart.Part, in *sendForm) error {
	b, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
	if err != nil {
		return uploadError(err)
	}
	if len(b) > maxFieldBytes {
		return imageapp.Errorf(imageapp.EINVALID, "The %s field is too long.", p.FormName())
	}
	in.set(p.FormName(), string(b))
	return nil
}

func uploadError(err error) error {
	return BodyError(err, "The upload was cut off or malformed. Try again.")
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
