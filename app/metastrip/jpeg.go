package metastrip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

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
