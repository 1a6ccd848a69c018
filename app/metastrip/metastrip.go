// Package metastrip removes metadata (EXIF with GPS, XMP, IPTC, comments,
// text chunks, thumbnails, trailers) from JPEG, PNG, WebP, GIF and AVIF
// images while they stream, working on the container only: JPEG marker
// segments, PNG chunks, RIFF chunks, GIF blocks and ISOBMFF boxes. Pixels
// are never decoded and the compressed image data passes through byte for
// byte.
//
// Memory per stream is one 32 KiB read buffer and a 64-byte scratch array
// in the Reader, whatever the size of the image or of any segment it
// declares. Payloads are copied, skipped or blanked straight through the
// read buffer (a caller's Read buffer of 32 KiB or more is filled directly
// from the source); JPEG entropy-coded data is scanned for the next marker
// inside it; headers are peeked from it, at most 24 bytes at a time; and
// the rewritten headers (JFIF, Adobe, VP8X, the orientation) are built in
// the scratch array. EXIF is walked forwards 12 bytes at a time to find the
// orientation, never loaded whole. The one exception is AVIF's meta box,
// held whole (at most 512 KiB, in practice a few hundred bytes) because it
// may say where items lie before it says which items are metadata.
//
// What each format keeps is an allow-list; everything else is dropped:
//
//   - JPEG: SOI, SOFn, DHT, DAC, DQT, DRI, DNL, DHP, EXP, SOS with its
//     entropy-coded data (RSTn and stuffed bytes included), EOI; APP0 JFIF
//     cut to its 14-byte header (density kept, thumbnail dropped); APP14
//     Adobe cut to its 12 bytes (it holds the colour transform); APP2
//     ICC_PROFILE as is. The Orientation of the first EXIF APP1 is written
//     back, when it is 2 to 8, as a minimal APP1 with that tag alone (IFD0
//     of one entry, no other IFD), so the picture does not turn. All other
//     APPn (EXIF, XMP, IPTC, MPF, maker data, C2PA), COM and JPGn go, and
//     so does everything after EOI (Motion Photo videos, MPF images).
//   - PNG: IHDR, PLTE, IDAT, IEND, tRNS, gAMA, cHRM, sRGB, iCCP, sBIT, pHYs,
//     bKGD, cICP, mDCV, cLLI and the APNG chunks acTL, fcTL, fdAT. The first
//     eXIf becomes an eXIf with the orientation alone, as in JPEG (Chromium
//     and Safari apply it). Other ancillary chunks (tEXt, zTXt, iTXt, tIME,
//     private ones) go; an unknown critical chunk is ErrMalformed. The CRC
//     of every kept chunk is checked. Bytes after IEND go.
//   - WebP: VP8X (EXIF and XMP flags cleared), VP8, VP8L, ALPH, ANIM, ANMF
//     (and ALPH, VP8, VP8L inside it), ICCP. Any other chunk, EXIF and XMP
//     included, is overwritten in place by a "JUNK" chunk of the same size
//     whose payload is zeros. The RIFF size sits before all chunks and EXIF
//     and XMP come after the image data, so a stream cannot shrink the file
//     without holding all of it; blanking keeps every size true, and
//     readers skip unknown chunks (WebP container spec, "Unknown Chunks").
//     Only the length of the removed metadata remains. No orientation is
//     kept: browsers ignore one that follows the image data. Bytes after
//     the RIFF chunk go.
//   - AVIF: ftyp, meta and mdat, whose sizes and offsets are all kept. In
//     meta: hdlr, pitm, iloc, iinf, iref, iprp (every property: av1C,
//     ispe, colr with its ICC profile, pixi, irot, imir, clap, pasp...),
//     idat, grpl, dinf. The bytes of metadata items (types Exif, mime (XMP)
//     and uri) are zeroed where they are stored, in mdat or idat; their
//     entries in iinf, iloc and iref stay, so only their length remains.
//     Other boxes, at the top level (uuid, moov...) or in meta (an "xml "
//     box), are renamed "free" and zeroed, as WebP's become JUNK. No Exif
//     orientation is needed: AVIF turns the picture with irot and imir,
//     which are kept. A metadata item stored before the meta box ends (the
//     stream has passed it) or built from other items is ErrMalformed.
//   - GIF: header, colour tables, image descriptors and data, graphic
//     control and plain text extensions, and the NETSCAPE2.0 / ANIMEXTS1.0
//     (loop count) and ICCRGBG1012 (colour profile) application
//     extensions. Comments, other application extensions (XMP) and unknown
//     extensions go, and so does anything after the trailer.
//
// A container that breaks its own rules (bad signature, a length that runs
// past its parent or the input, a bad CRC, an unknown critical chunk) fails
// with an error wrapping ErrMalformed, which may come from any Read. Input
// may end early only where a reader can stop cleanly: inside JPEG
// entropy-coded data, between PNG chunks after IHDR, between GIF blocks;
// the output then ends there too. After the image ends, the rest of the
// source is read and discarded, so a size cap on it still applies. Errors
// of the source are returned unchanged.
package metastrip

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
)

var (
	// ErrMalformed is wrapped by every error about the image's structure.
	ErrMalformed = errors.New("metastrip: malformed image")
	// ErrUnsupported is returned by Strip for a content type it cannot clean.
	ErrUnsupported = errors.New("metastrip: unsupported content type")
)

// bufSize is the size of the read buffer, the only buffer of any size.
const bufSize = 32 << 10

type format uint8

const (
	fJPEG format = iota + 1
	fPNG
	fWebP
	fGIF
	fAVIF
)

// action is bulk work on a payload of known length, done through Read's p.
type action uint8

const (
	actNone    action = iota
	actCopy           // pass n bytes through
	actSkip           // drop n bytes
	actBlank          // consume n bytes, emit n zero bytes
	actEntropy        // JPEG: pass entropy-coded data until a marker
)

type state uint8

const (
	stStart state = iota
	stDrain       // the image has ended: discard the rest of the source
	stDone

	stJPEGMarker
	stJPEGScan // SOS header copied; entropy-coded data follows

	stPNGChunk
	stPNGCRC

	stWebPChunk
	stWebPFrame // inside an ANMF payload

	stGIFBlock
	stGIFCodeSize
	stGIFSubKeep
	stGIFSubDrop

	stAVIFBox
	stAVIFData // inside a top-level box's payload
)

// Reader yields the image read from its source with the metadata removed.
type Reader struct {
	src   *bufio.Reader
	kind  format
	state state
	act   action
	n     int64 // bytes left for act
	err   error // sticky

	out     []byte   // bytes to emit before anything else, in scratch
	scratch [64]byte // rewritten headers

	crcOn bool // PNG: the copied payload feeds crc
	crc   uint32
	last  bool // PNG: the chunk being copied is IEND

	sawExif bool // the first EXIF APP1 (JPEG) or eXIf (PNG) has been seen

	webpLeft  int64 // bytes left in the RIFF payload
	frameLeft int64 // bytes left in the current ANMF payload
	webpVP8X  bool
	webpFirst bool // the next chunk is the first

	pngIHDR bool

	gifW, gifH int // GIF: the logical screen (canvas) every frame must lie in

	avifPos, avifEnd int64      // AVIF: the next byte's offset, the current box's end
	avifRanges       [][2]int64 // AVIF: metadata extents still to blank, sorted
	avifMeta         bool       // AVIF: the meta box has been seen
	avifBlankAll     bool       // AVIF: the current box is not kept
}

// Strip returns a Reader that yields r's image with its metadata removed.
// contentType is one of image/jpeg, image/png, image/webp, image/gif and
// image/avif (as
// imagecheck.Inspect reports it); the content must match it, or Read fails
// with ErrMalformed. Any other type returns ErrUnsupported.
func Strip(contentType string, r io.Reader) (*Reader, error) {
	ct, _, _ := strings.Cut(contentType, ";")
	var f format
	switch strings.ToLower(strings.TrimSpace(ct)) {
	case "image/jpeg":
		f = fJPEG
	case "image/png":
		f = fPNG
	case "image/webp":
		f = fWebP
	case "image/gif":
		f = fGIF
	case "image/avif":
		f = fAVIF
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupported, contentType)
	}
	return &Reader{src: bufio.NewReaderSize(r, bufSize), kind: f}, nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.out) > 0 {
			c := copy(p[n:], r.out)
			r.out = r.out[c:]
			n += c
			continue
		}
		if r.err != nil {
			break
		}
		// Return what we have rather than wait for more input.
		if n > 0 && r.src.Buffered() == 0 {
			break
		}
		var (
			c   int
			err error
		)
		switch r.act {
		case actCopy, actBlank:
			c, err = r.pass(p[n:])
		case actSkip:
			err = r.skip()
		case actEntropy:
			c, err = r.entropy(p[n:])
		default:
			err = r.step()
		}
		n += c
		if err != nil {
			r.err = err
		}
	}
	if n > 0 {
		return n, nil
	}
	return 0, r.err
}

// do sets the bulk action for the next n bytes.
func (r *Reader) do(a action, n int64) {
	if n == 0 {
		a = actNone
	}
	r.act, r.n = a, n
}

// emit queues b, copied into scratch, as the next output.
func (r *Reader) emit(b ...[]byte) {
	out := r.scratch[:0]
	for _, s := range b {
		out = append(out, s...)
	}
	r.out = out
}

// truncated maps the end of input inside a structure to ErrMalformed and
// leaves any other error as it is.
func (r *Reader) truncated(err error, what string) error {
	if err == io.EOF {
		return malformed("%s: %s is cut short", r.name(), what)
	}
	return err
}

func (r *Reader) name() string {
	return [...]string{fJPEG: "jpeg", fPNG: "png", fWebP: "webp", fGIF: "gif", fAVIF: "avif"}[r.kind]
}

// need peeks exactly n bytes (n is small) or fails.
func (r *Reader) need(n int, what string) ([]byte, error) {
	b, err := r.src.Peek(n)
	if err != nil {
		return nil, r.truncated(err, what)
	}
	return b, nil
}

func (r *Reader) pass(p []byte) (int, error) {
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	c, err := r.src.Read(p)
	if c > 0 {
		if r.crcOn {
			r.crc = crc32.Update(r.crc, crc32.IEEETable, p[:c])
		}
		if r.act == actBlank {
			clear(p[:c])
		}
		r.n -= int64(c)
		if r.n == 0 {
			r.act = actNone
		}
		return c, nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return 0, r.truncated(err, "a payload")
}

func (r *Reader) skip() error {
	d, err := r.src.Discard(int(min(r.n, 1<<30)))
	r.n -= int64(d)
	if r.n == 0 {
		r.act = actNone
	}
	if err != nil && r.n > 0 {
		return r.truncated(err, "a dropped payload")
	}
	return nil
}

func (r *Reader) step() error {
	switch r.state {
	case stDone:
		return io.EOF
	case stDrain:
		for {
			if _, err := r.src.Discard(bufSize); err == io.EOF {
				r.state = stDone
				return nil
			} else if err != nil {
				return err
			}
		}
	case stStart:
		switch r.kind {
		case fJPEG:
			return r.jpegStart()
		case fPNG:
			return r.pngStart()
		case fWebP:
			return r.webpStart()
		case fGIF:
			return r.gifStart()
		case fAVIF:
			r.state = stAVIFBox
			return nil
		}
	case stJPEGMarker:
		return r.jpegMarker()
	case stJPEGScan:
		r.act, r.state = actEntropy, stJPEGMarker
		return nil
	case stPNGChunk:
		return r.pngChunk()
	case stPNGCRC:
		return r.pngCRC()
	case stWebPChunk, stWebPFrame:
		return r.webpChunk()
	case stGIFBlock:
		return r.gifBlock()
	case stGIFCodeSize:
		return r.gifCodeSize()
	case stGIFSubKeep, stGIFSubDrop:
		return r.gifSub()
	case stAVIFBox:
		return r.avifBox()
	case stAVIFData:
		return r.avifData()
	}
	return fmt.Errorf("metastrip: internal error: state %d", r.state)
}
