// Package metastrip removes metadata (EXIF with GPS, XMP, IPTC, comments,
// text chunks, thumbnails, trailers) from JPEG, PNG, WebP and GIF images
// while they stream, working on the container only: JPEG marker segments,
// PNG chunks, RIFF chunks and GIF blocks. Pixels are never decoded and the
// compressed image data passes through byte for byte.
//
// Memory per stream is one 32 KiB read buffer and a 64-byte scratch array
// in the Reader, whatever the size of the image or of any segment it
// declares. Payloads are copied, skipped or blanked straight through the
// read buffer (a caller's Read buffer of 32 KiB or more is filled directly
// from the source); JPEG entropy-coded data is scanned for the next marker
// inside it; headers are peeked from it, at most 24 bytes at a time; and
// the rewritten headers (JFIF, Adobe, VP8X, the orientation) are built in
// the scratch array. EXIF is walked forwards 12 bytes at a time to find the
// orientation, never loaded whole.
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
	"bytes"
	"encoding/binary"
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
}

// Strip returns a Reader that yields r's image with its metadata removed.
// contentType is one of image/jpeg, image/png, image/webp and image/gif (as
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
	return [...]string{fJPEG: "jpeg", fPNG: "png", fWebP: "webp", fGIF: "gif"}[r.kind]
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
	}
	return fmt.Errorf("metastrip: internal error: state %d", r.state)
}

// ---- JPEG ----

const (
	mSOI   = 0xD8
	mEOI   = 0xD9
	mSOS   = 0xDA
	mAPP0  = 0xE0
	mAPP1  = 0xE1
	mAPP2  = 0xE2
	mAPP14 = 0xEE
)

func (r *Reader) jpegStart() error {
	b, err := r.need(2, "the SOI marker")
	if err != nil {
		return err
	}
	if b[0] != 0xFF || b[1] != mSOI {
		return malformed("jpeg: no SOI marker")
	}
	r.emit(b)
	r.src.Discard(2)
	r.state = stJPEGMarker
	return nil
}

// jpegMarker handles one marker and the segment it starts.
func (r *Reader) jpegMarker() error {
	var m byte
	for {
		b, err := r.src.ReadByte()
		if err != nil {
			return r.truncated(err, "the image before EOI")
		}
		if b != 0xFF { // extraneous data between segments, as libjpeg allows
			continue
		}
		for b == 0xFF { // fill bytes
			if b, err = r.src.ReadByte(); err != nil {
				return r.truncated(err, "a marker")
			}
		}
		if b == 0 || (0xD0 <= b && b <= 0xD7) || b == 0x01 {
			// Stuffed zero or RSTn outside a scan, or TEM: no payload, dropped.
			continue
		}
		m = b
		break
	}
	switch {
	case m == mEOI:
		r.emit([]byte{0xFF, mEOI})
		r.state = stDrain // what follows EOI (Motion Photo, MPF images) is dropped
		return nil
	case m == mSOI:
		return malformed("jpeg: SOI inside the image")
	case m < 0xC0:
		return malformed("jpeg: reserved marker 0x%02X", m)
	}

	lb, err := r.need(2, "a segment length")
	if err != nil {
		return err
	}
	length := int(lb[0])<<8 | int(lb[1])
	if length < 2 {
		return malformed("jpeg: segment 0x%02X has length %d", m, length)
	}
	hdr := [4]byte{0xFF, m, lb[0], lb[1]}
	r.src.Discard(2)
	n := length - 2 // payload; at most 65533, whatever the input says

	switch {
	case m == mSOS:
		r.emit(hdr[:])
		r.do(actCopy, int64(n))
		r.state = stJPEGScan
		return nil
	case isJPEGTable(m):
		r.emit(hdr[:])
		r.do(actCopy, int64(n))
		return nil
	case m == mAPP0:
		return r.jpegJFIF(n)
	case m == mAPP1:
		return r.jpegExif(n)
	case m == mAPP2:
		if n >= 12 {
			b, err := r.need(12, "an APP2 segment")
			if err != nil {
				return err
			}
			if string(b) == "ICC_PROFILE\x00" {
				r.emit(hdr[:])
				r.do(actCopy, int64(n))
				return nil
			}
		}
	case m == mAPP14:
		if n >= 12 {
			b, err := r.need(12, "an APP14 segment")
			if err != nil {
				return err
			}
			if string(b[:5]) == "Adobe" {
				// Version, flags and the colour transform; nothing more.
				r.emit([]byte{0xFF, mAPP14, 0, 14}, b[:12])
			}
		}
	}
	// APPn, COM, JPG, JPGn, and the APP segments above that did not qualify.
	r.do(actSkip, int64(n))
	return nil
}

// isJPEGTable reports the markers whose segments decoders need: SOFn (not
// C4 DHT, C8 JPG, CC DAC, which are listed on their own), DHT, DAC, DQT,
// DRI, DNL, DHP and EXP.
func isJPEGTable(m byte) bool {
	switch {
	case 0xC0 <= m && m <= 0xCF:
		return m != 0xC8
	case m == 0xDB || m == 0xDC || m == 0xDD || m == 0xDE || m == 0xDF:
		return true
	}
	return false
}

// jpegJFIF keeps the 14-byte JFIF header of an APP0 segment with the
// thumbnail size set to 0×0, and drops the thumbnail and any JFXX segment.
func (r *Reader) jpegJFIF(n int) error {
	if n >= 5 {
		b, err := r.need(min(n, 14), "an APP0 segment")
		if err != nil {
			return err
		}
		if string(b[:5]) == "JFIF\x00" {
			// Version 1.01, no units, 1:1 unless the segment says otherwise.
			jfif := [18]byte{0xFF, mAPP0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
			if len(b) == 14 {
				copy(jfif[9:16], b[5:12]) // version, units, X and Y density
			}
			r.emit(jfif[:]) // thumbnail width and height stay 0
		}
	}
	r.do(actSkip, int64(n))
	return nil
}

// jpegExif reads the Orientation tag of the first EXIF APP1 segment and
// replaces the segment by one that holds only that tag (or by nothing when
// the orientation is absent, invalid or 1). Other APP1 segments (XMP, a
// second EXIF) are dropped.
func (r *Reader) jpegExif(n int) error {
	if r.sawExif || n < 6 {
		r.do(actSkip, int64(n))
		return nil
	}
	b, err := r.need(6, "an APP1 segment")
	if err != nil {
		return err
	}
	if string(b[:5]) != "Exif\x00" {
		r.do(actSkip, int64(n))
		return nil
	}
	r.sawExif = true
	ex := exifScan{r: r, left: n, prefix: true}
	orient, err := ex.orientation()
	if err != nil {
		return err
	}
	if orient != 0 {
		seg := [36]byte{0xFF, mAPP1, 0, 34, 'E', 'x', 'i', 'f', 0, 0}
		tiff := minimalTIFF(orient)
		copy(seg[10:], tiff[:])
		r.emit(seg[:])
	}
	r.do(actSkip, int64(ex.left))
	return nil
}

// minimalTIFF is an EXIF block (a TIFF header and IFD0) that holds only
// the Orientation tag (0x0112, SHORT, count 1), in big-endian order.
func minimalTIFF(orient int) [26]byte {
	return [26]byte{
		'M', 'M', 0, 42, 0, 0, 0, 8, // IFD0 at offset 8
		0, 1, // one entry
		0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(orient), 0, 0,
		0, 0, 0, 0, // no next IFD
	}
}

// exifScan reads forward through an EXIF payload of left bytes, a few bytes
// at a time. Offsets that point backwards or past the segment end the
// search (the segment is dropped anyway); only the end of input is an error.
type exifScan struct {
	r      *Reader
	left   int
	prefix bool // the block starts with "Exif\0\0" (JPEG APP1)
}

var errExifShort = errors.New("exif: short")

func (e *exifScan) read(n int) ([]byte, error) {
	if n > e.left {
		return nil, errExifShort
	}
	b, err := e.r.need(n, "an APP1 segment")
	if err != nil {
		return nil, err
	}
	e.r.src.Discard(n)
	e.left -= n
	return b, nil // valid until the next read from src
}

func (e *exifScan) skip(n int) error {
	if n > e.left {
		return errExifShort
	}
	d, err := e.r.src.Discard(n)
	e.left -= d
	if err != nil {
		return e.r.truncated(err, "an APP1 segment")
	}
	return nil
}

// orientation returns the Orientation tag's value when it is 2 to 8, and
// 0 when it is 1 (the default), invalid, or missing.
func (e *exifScan) orientation() (int, error) {
	v, err := e.find()
	if err == errExifShort || v < 2 || v > 8 {
		return 0, nil
	}
	return v, err
}

func (e *exifScan) find() (int, error) {
	if e.prefix {
		if _, err := e.read(6); err != nil { // "Exif\0\0"
			return 0, err
		}
	}
	h, err := e.read(8)
	if err != nil {
		return 0, err
	}
	var bo binary.ByteOrder
	switch string(h[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, nil
	}
	if bo.Uint16(h[2:]) != 42 {
		return 0, nil
	}
	ifd := bo.Uint32(h[4:])
	if ifd < 8 || ifd-8 > uint32(e.left) {
		return 0, nil
	}
	if err := e.skip(int(ifd - 8)); err != nil {
		return 0, err
	}
	c, err := e.read(2)
	if err != nil {
		return 0, err
	}
	for count := bo.Uint16(c); count > 0; count-- {
		ent, err := e.read(12)
		if err != nil {
			return 0, err
		}
		if bo.Uint16(ent) != 0x0112 {
			continue
		}
		if bo.Uint16(ent[2:]) != 3 || bo.Uint32(ent[4:]) != 1 { // SHORT, count 1
			return 0, nil
		}
		return int(bo.Uint16(ent[8:])), nil
	}
	return 0, nil
}

// entropy passes entropy-coded data up to the next marker that is not a
// stuffed zero (FF 00) or a restart marker (FF D0–D7), within the read
// buffer. Fill bytes (FF FF) are dropped. Input ending here ends the image.
func (r *Reader) entropy(p []byte) (int, error) {
	if r.src.Buffered() < 2 {
		if _, err := r.src.Peek(2); err != nil {
			if err != io.EOF {
				return 0, err
			}
			if r.src.Buffered() == 0 {
				r.act, r.state = actNone, stDone
				return 0, nil
			}
			b, _ := r.src.ReadByte() // the last byte
			if b == 0xFF {
				return 0, nil
			}
			p[0] = b
			return 1, nil
		}
	}
	buf, _ := r.src.Peek(r.src.Buffered())
	limit := min(len(buf), len(p))
	i := 0
	for i < limit {
		j := bytes.IndexByte(buf[i:limit], 0xFF)
		if j < 0 {
			i = limit
			break
		}
		j += i
		if j+1 == len(buf) { // the byte after FF is not buffered yet
			i = j
			break
		}
		switch b := buf[j+1]; {
		case b == 0x00 || (0xD0 <= b && b <= 0xD7):
			i = j + 2
			continue
		case b == 0xFF: // a fill byte before a marker
			copy(p, buf[:j])
			r.src.Discard(j + 1)
			return j, nil
		default: // the marker after the scan
			copy(p, buf[:j])
			r.src.Discard(j)
			r.act = actNone
			return j, nil
		}
	}
	i = min(i, limit)
	copy(p, buf[:i])
	r.src.Discard(i)
	return i, nil
}

// ---- PNG ----

const pngSignature = "\x89PNG\r\n\x1a\n"

var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true, "iCCP": true,
	"sBIT": true, "pHYs": true, "bKGD": true, "cICP": true, "mDCV": true,
	"cLLI": true, "acTL": true, "fcTL": true, "fdAT": true,
}

func (r *Reader) pngStart() error {
	b, err := r.need(8, "the signature")
	if err != nil {
		return err
	}
	if string(b) != pngSignature {
		return malformed("png: bad signature")
	}
	r.emit(b)
	r.src.Discard(8)
	r.state = stPNGChunk
	return nil
}

func (r *Reader) pngChunk() error {
	b, err := r.src.Peek(8)
	if err == io.EOF && len(b) == 0 && r.pngIHDR {
		r.state = stDone // ends between chunks: the output ends there too
		return nil
	}
	if err != nil {
		return r.truncated(err, "a chunk header")
	}
	length := binary.BigEndian.Uint32(b)
	typ := b[4:8]
	if length > 1<<31-1 {
		return malformed("png: chunk length %d", length)
	}
	for _, c := range typ {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return malformed("png: bad chunk type %q", typ)
		}
	}
	if !r.pngIHDR {
		if string(typ) != "IHDR" {
			return malformed("png: first chunk is %q, not IHDR", typ)
		}
		r.pngIHDR = true
	}
	switch {
	case pngKeep[string(typ)]:
		r.last = string(typ) == "IEND"
		if r.last && length != 0 {
			return malformed("png: IEND has %d bytes", length)
		}
		r.emit(b)
		r.crc = crc32.Update(0, crc32.IEEETable, typ)
		r.crcOn = true
		r.src.Discard(8)
		r.do(actCopy, int64(length))
		r.state = stPNGCRC
	case string(typ) == "eXIf" && !r.sawExif:
		// Replaced by an eXIf chunk with the orientation alone, if any.
		r.sawExif = true
		r.src.Discard(8)
		ex := exifScan{r: r, left: int(length)}
		orient, err := ex.orientation()
		if err != nil {
			return err
		}
		if orient != 0 {
			tiff := minimalTIFF(orient)
			r.emit([]byte{0, 0, 0, 26, 'e', 'X', 'I', 'f'}, tiff[:], []byte{0, 0, 0, 0})
			binary.BigEndian.PutUint32(r.out[34:], crc32.ChecksumIEEE(r.out[4:34]))
		}
		r.do(actSkip, int64(ex.left)+4) // the rest and the CRC
	case typ[0]&0x20 == 0:
		return malformed("png: unknown critical chunk %q", typ)
	default:
		r.src.Discard(8)
		r.do(actSkip, int64(length)+4)
	}
	return nil
}

func (r *Reader) pngCRC() error {
	r.crcOn = false
	b, err := r.need(4, "a chunk CRC")
	if err != nil {
		return err
	}
	if binary.BigEndian.Uint32(b) != r.crc {
		return malformed("png: chunk CRC mismatch")
	}
	r.emit(b)
	r.src.Discard(4)
	r.state = stPNGChunk
	if r.last {
		r.state = stDrain // what follows IEND is dropped
	}
	return nil
}

// ---- WebP ----

func (r *Reader) webpStart() error {
	b, err := r.need(12, "the RIFF header")
	if err != nil {
		return err
	}
	if string(b[:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
		return malformed("webp: not a RIFF WEBP file")
	}
	size := binary.LittleEndian.Uint32(b[4:])
	if size < 4 {
		return malformed("webp: RIFF size %d", size)
	}
	r.webpLeft = int64(size) - 4
	r.webpFirst = true
	r.emit(b)
	r.src.Discard(12)
	r.state = stWebPChunk
	return nil
}

type fourCC [4]byte

var (
	fccVP8  = fourCC{'V', 'P', '8', ' '}
	fccVP8L = fourCC{'V', 'P', '8', 'L'}
	fccVP8X = fourCC{'V', 'P', '8', 'X'}
	fccALPH = fourCC{'A', 'L', 'P', 'H'}
	fccANIM = fourCC{'A', 'N', 'I', 'M'}
	fccANMF = fourCC{'A', 'N', 'M', 'F'}
	fccICCP = fourCC{'I', 'C', 'C', 'P'}
)

const (
	vp8xXMP  = 1 << 2
	vp8xEXIF = 1 << 3
)

func (r *Reader) webpChunk() error {
	inFrame := r.state == stWebPFrame
	left := &r.webpLeft
	if inFrame {
		left = &r.frameLeft
	}
	if *left == 0 {
		if inFrame {
			r.state = stWebPChunk
		} else {
			r.state = stDrain // what follows the RIFF chunk is dropped
		}
		return nil
	}
	if *left < 8 {
		return malformed("webp: %d stray bytes at the end of a chunk list", *left)
	}
	b, err := r.need(8, "a chunk header")
	if err != nil {
		return err
	}
	size := int64(binary.LittleEndian.Uint32(b[4:]))
	padded := size + size&1
	if padded > *left-8 {
		return malformed("webp: chunk %q of %d bytes overruns its parent", b[:4], size)
	}
	*left -= 8 + padded
	fcc := fourCC(b[:4])

	if r.webpFirst {
		r.webpFirst = false
		if fcc != fccVP8 && fcc != fccVP8L && fcc != fccVP8X {
			return malformed("webp: first chunk is %q", b[:4])
		}
	}
	keep := false
	switch fcc {
	case fccVP8, fccVP8L, fccALPH:
		keep = true
	case fccVP8X, fccANIM, fccANMF, fccICCP:
		keep = !inFrame
	}
	if !keep {
		r.emit([]byte("JUNK"), b[4:8])
		r.src.Discard(8)
		r.do(actBlank, padded)
		return nil
	}
	switch fcc {
	case fccVP8X:
		if r.webpVP8X {
			return malformed("webp: second VP8X chunk")
		}
		r.webpVP8X = true
		if size != 10 {
			return malformed("webp: VP8X chunk of %d bytes", size)
		}
		x, err := r.need(18, "the VP8X chunk")
		if err != nil {
			return err
		}
		r.emit(x)
		r.out[8] &^= vp8xEXIF | vp8xXMP
		r.src.Discard(18)
		return nil
	case fccANMF:
		if size < 16 {
			return malformed("webp: ANMF chunk of %d bytes", size)
		}
		x, err := r.need(24, "an ANMF chunk")
		if err != nil {
			return err
		}
		r.emit(x)
		r.src.Discard(24)
		r.frameLeft = padded - 16
		r.state = stWebPFrame
		return nil
	}
	r.emit(b)
	r.src.Discard(8)
	r.do(actCopy, padded)
	return nil
}

// ---- GIF ----

var gifKeepApp = map[string]bool{
	"NETSCAPE2.0": true, // loop count
	"ANIMEXTS1.0": true, // the same, by another name
	"ICCRGBG1012": true, // ICC colour profile
}

func (r *Reader) gifStart() error {
	b, err := r.need(13, "the header")
	if err != nil {
		return err
	}
	if sig := string(b[:6]); sig != "GIF87a" && sig != "GIF89a" {
		return malformed("gif: bad signature")
	}
	r.emit(b)
	r.src.Discard(13)
	if b[10]&0x80 != 0 {
		r.do(actCopy, 3<<(b[10]&7+1)) // global colour table
	}
	r.state = stGIFBlock
	return nil
}

func (r *Reader) gifBlock() error {
	b, err := r.src.Peek(1)
	if err == io.EOF && len(b) == 0 {
		r.state = stDone // no trailer: the output ends where the input did
		return nil
	}
	if err != nil {
		return r.truncated(err, "a block")
	}
	switch b[0] {
	case 0x3B: // trailer
		r.emit(b)
		r.src.Discard(1)
		r.state = stDrain // what follows is dropped
	case 0x2C: // image descriptor
		d, err := r.need(10, "an image descriptor")
		if err != nil {
			return err
		}
		r.emit(d)
		r.src.Discard(10)
		if d[9]&0x80 != 0 {
			r.do(actCopy, 3<<(d[9]&7+1)) // local colour table
		}
		r.state = stGIFCodeSize
	case 0x21: // extension
		h, err := r.need(2, "an extension")
		if err != nil {
			return err
		}
		switch h[1] {
		case 0xF9, 0x01: // graphic control, plain text
			r.emit(h)
			r.src.Discard(2)
			r.state = stGIFSubKeep
			return nil
		case 0xFF: // application
			a, err := r.need(3, "an application extension")
			if err != nil {
				return err
			}
			if a[2] == 11 {
				a, err := r.need(14, "an application extension")
				if err != nil {
					return err
				}
				if gifKeepApp[string(a[3:14])] {
					r.emit(a)
					r.src.Discard(14)
					r.state = stGIFSubKeep
					return nil
				}
			}
		}
		// Comment, other application and unknown extensions.
		r.src.Discard(2)
		r.state = stGIFSubDrop
	default:
		return malformed("gif: unknown block 0x%02X", b[0])
	}
	return nil
}

func (r *Reader) gifCodeSize() error {
	b, err := r.need(1, "image data")
	if err != nil {
		return err
	}
	r.emit(b)
	r.src.Discard(1)
	r.state = stGIFSubKeep
	return nil
}

// gifSub handles one data sub-block: a size byte, then that many bytes; a
// zero size ends the block.
func (r *Reader) gifSub() error {
	b, err := r.need(1, "a data sub-block")
	if err != nil {
		return err
	}
	size := b[0]
	r.src.Discard(1)
	if r.state == stGIFSubDrop {
		r.do(actSkip, int64(size))
	} else {
		r.emit([]byte{size})
		r.do(actCopy, int64(size))
	}
	if size == 0 {
		r.state = stGIFBlock
	}
	return nil
}
