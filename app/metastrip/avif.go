package metastrip

import (
	"cmp"
	"encoding/binary"
	"io"
	"slices"
)

// maxAVIFMeta bounds the meta box, which an AVIF's Reader holds whole: it
// lists the items (image, Exif, XMP) and where their bytes lie, often
// before it says what each item is, so it cannot be judged in a stream.
// It holds tables and properties (an ICC profile at most), never pixels.
const maxAVIFMeta = 512 << 10

// maxAVIFRanges bounds the metadata extents a file may have blanked.
const maxAVIFRanges = 64

// avifMetaKeep are the meta box's children that describe the image; any
// other (an XMP "xml " box, private boxes) becomes a zeroed "free" box.
var avifMetaKeep = map[string]bool{
	"hdlr": true, "pitm": true, "iloc": true, "iinf": true, "iref": true,
	"iprp": true, "idat": true, "grpl": true, "dinf": true,
}

// metadataItem reports whether an item of this type holds metadata, not
// pixels: Exif, and MIME items (XMP is one) and URI items (C2PA claims).
func metadataItem(itemType string) bool {
	return itemType == "Exif" || itemType == "mime" || itemType == "uri "
}

// avifBox handles the next top-level box: ftyp and the image data (mdat)
// are copied, with the extents of metadata items in it zeroed; the meta
// box is cleaned whole; any other box becomes a "free" box of zeros.
func (r *Reader) avifBox() error {
	b, err := r.src.Peek(8)
	if err == io.EOF && len(b) == 0 && r.avifPos > 0 {
		for len(r.avifRanges) > 0 && r.avifRanges[0][1] <= r.avifPos {
			r.avifRanges = r.avifRanges[1:]
		}
		if len(r.avifRanges) > 0 {
			return malformed("avif: a metadata item lies past the end of the file")
		}
		r.state = stDone
		return nil
	}
	if err != nil {
		return r.truncated(err, "a box header")
	}
	size, typ, hdr := int64(binary.BigEndian.Uint32(b)), string(b[4:8]), int64(8)
	if size == 1 {
		l, err := r.need(16, "a box header")
		if err != nil {
			return err
		}
		size, hdr = int64(binary.BigEndian.Uint64(l[8:])), 16
	}
	if size < hdr {
		// 0 would mean "to the end of the file": writers state sizes, and a
		// box that does not cannot be blanked or checked.
		return malformed("avif: box %q of size %d", typ, size)
	}
	if r.avifPos == 0 && typ != "ftyp" {
		return malformed("avif: the first box is %q, not ftyp", typ)
	}
	start := r.avifPos
	r.avifPos = start + hdr
	r.avifEnd = start + size
	switch typ {
	case "ftyp", "mdat":
		h, _ := r.need(int(hdr), "a box header")
		r.emit(h)
		r.src.Discard(int(hdr))
		r.state = stAVIFData
		return nil
	case "meta":
		if r.avifMeta {
			return malformed("avif: a second meta box")
		}
		r.avifMeta = true
		if size-hdr > maxAVIFMeta {
			return malformed("avif: a meta box of %d bytes", size)
		}
		if hdr != 8 {
			return malformed("avif: a meta box with a 64-bit size")
		}
		if start < 8 {
			return malformed("avif: meta before ftyp")
		}
		meta := make([]byte, size)
		if _, err := io.ReadFull(r.src, meta); err != nil {
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			return r.truncated(err, "the meta box")
		}
		if err := r.cleanMeta(meta[8:], start+8); err != nil {
			return err
		}
		r.out = meta
		r.avifPos = r.avifEnd
		return nil
	}
	h, _ := r.need(int(hdr), "a box header")
	r.emit(h)
	copy(r.out[4:8], "free")
	r.src.Discard(int(hdr))
	r.state = stAVIFData
	r.avifBlankAll = true
	return nil
}

// avifData passes the current box's payload on, zeroing the metadata
// extents in it (all of it in a box that is not kept).
func (r *Reader) avifData() error {
	if r.avifPos == r.avifEnd {
		r.state, r.avifBlankAll = stAVIFBox, false
		return nil
	}
	for len(r.avifRanges) > 0 && r.avifRanges[0][1] <= r.avifPos {
		r.avifRanges = r.avifRanges[1:]
	}
	n, act := r.avifEnd-r.avifPos, actCopy
	switch {
	case r.avifBlankAll:
		act = actBlank
	case len(r.avifRanges) == 0:
	case r.avifRanges[0][0] > r.avifPos:
		n = min(n, r.avifRanges[0][0]-r.avifPos)
	default:
		n, act = min(n, r.avifRanges[0][1]-r.avifPos), actBlank
	}
	r.avifPos += n
	r.do(act, n)
	return nil
}

// cleanMeta zeroes, in place, the meta box's metadata: the children it
// does not keep (renamed "free"), and the bytes of metadata items stored
// in its idat box. The extents of metadata items stored in the file (in
// mdat) are kept in r.avifRanges for avifData; they must come after the
// meta box. metaPos is where the payload lies in the file.
func (r *Reader) cleanMeta(meta []byte, metaPos int64) error {
	if len(meta) < 4 {
		return malformed("avif: a short meta box")
	}
	children := map[string][]byte{}
	var idat []byte
	err := walkBoxes(meta[4:], func(box, payload []byte) {
		typ := string(box[4:8])
		if !avifMetaKeep[typ] {
			copy(box[4:8], "free")
			clear(payload)
			return
		}
		if _, dup := children[typ]; !dup {
			children[typ] = payload
		}
		if typ == "idat" {
			idat = payload
		}
	})
	if err != nil {
		return err
	}
	dropped, err := metadataItems(children["iinf"])
	if err != nil {
		return err
	}
	if len(dropped) == 0 {
		return nil
	}
	extents, err := itemExtents(children["iloc"], dropped)
	if err != nil {
		return err
	}
	metaEnd := metaPos + int64(len(meta))
	for _, e := range extents {
		switch e.method {
		case 0: // in the file
			if e.start < metaEnd {
				return malformed("avif: a metadata item stored before the end of the meta box")
			}
			if len(r.avifRanges) == maxAVIFRanges {
				return malformed("avif: more than %d metadata extents", maxAVIFRanges)
			}
			r.avifRanges = append(r.avifRanges, [2]int64{e.start, e.start + e.length})
		case 1: // in idat
			if e.start < 0 || e.start+e.length > int64(len(idat)) {
				return malformed("avif: a metadata item outside idat")
			}
			clear(idat[e.start : e.start+e.length])
		default:
			return malformed("avif: a metadata item made of other items")
		}
	}
	slices.SortFunc(r.avifRanges, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	return nil
}

// walkBoxes calls f with each box (header included) and its payload.
func walkBoxes(b []byte, f func(box, payload []byte)) error {
	for len(b) > 0 {
		if len(b) < 8 {
			return malformed("avif: %d stray bytes in a box", len(b))
		}
		size := uint64(binary.BigEndian.Uint32(b))
		if size < 8 || size > uint64(len(b)) {
			return malformed("avif: box %q of size %d overruns its parent", b[4:8], size)
		}
		f(b[:size], b[8:size])
		b = b[size:]
	}
	return nil
}

// metadataItems reads iinf's payload and returns the IDs of the metadata
// items.
func metadataItems(iinf []byte) (map[uint32]bool, error) {
	ids := map[uint32]bool{}
	if iinf == nil {
		return ids, nil
	}
	if len(iinf) < 6 {
		return nil, malformed("avif: a short iinf box")
	}
	entries := iinf[6:]
	if iinf[0] != 0 {
		if len(iinf) < 8 {
			return nil, malformed("avif: a short iinf box")
		}
		entries = iinf[8:]
	}
	var bad bool
	err := walkBoxes(entries, func(box, p []byte) {
		if string(box[4:8]) != "infe" || len(p) < 4 {
			return
		}
		var id uint32
		var typ string
		switch v := p[0]; {
		case v == 2 && len(p) >= 12:
			id, typ = uint32(binary.BigEndian.Uint16(p[4:])), string(p[8:12])
		case v == 3 && len(p) >= 14:
			id, typ = binary.BigEndian.Uint32(p[4:]), string(p[10:14])
		case v < 2:
			return // no item type: an old file's item, never Exif
		default:
			bad = true
			return
		}
		if metadataItem(typ) {
			ids[id] = true
		}
	})
	if err != nil {
		return nil, err
	}
	if bad {
		return nil, malformed("avif: a malformed infe box")
	}
	return ids, nil
}

// extent is where part of an item's bytes lie: in the file (method 0) or
// in idat (method 1), from start for length bytes.
type extent struct {
	method        int
	start, length int64
}

// itemExtents reads iloc's payload and returns the extents of the items.
func itemExtents(iloc []byte, items map[uint32]bool) ([]extent, error) {
	d := &fields{b: iloc}
	version := d.uint(1)
	d.uint(3) // flags
	sizes := d.uint(1)
	offSize, lenSize := int(sizes>>4), int(sizes&15)
	sizes = d.uint(1)
	baseSize, indexSize := int(sizes>>4), 0
	if version == 1 || version == 2 {
		indexSize = int(sizes & 15)
	}
	for _, s := range []int{offSize, lenSize, baseSize, indexSize} {
		if s != 0 && s != 4 && s != 8 {
			return nil, malformed("avif: an iloc field of %d bytes", s)
		}
	}
	idSize := 2
	if version == 2 {
		idSize = 4
	}
	if version > 2 {
		return nil, malformed("avif: iloc version %d", version)
	}
	count := d.uint(idSize)
	var out []extent
	for range count {
		if d.err {
			break
		}
		id := uint32(d.uint(idSize))
		method := 0
		if version == 1 || version == 2 {
			method = int(d.uint(2) & 15)
		}
		d.uint(2) // data_reference_index
		base := d.uint(baseSize)
		n := d.uint(2)
		for range n {
			d.uint(indexSize)
			off, length := d.uint(offSize), d.uint(lenSize)
			if !items[id] || d.err {
				continue
			}
			if length == 0 || base > 1<<62 || off > 1<<62 || length > 1<<62 {
				// 0 means "to the end of the file", which no metadata item needs.
				return nil, malformed("avif: a metadata extent of length %d", length)
			}
			out = append(out, extent{method, int64(base + off), int64(length)})
		}
	}
	if d.err {
		return nil, malformed("avif: a short iloc box")
	}
	return out, nil
}

// fields reads big-endian fields from b; past its end, err is set.
type fields struct {
	b   []byte
	err bool
}

func (f *fields) uint(n int) uint64 {
	if len(f.b) < n {
		f.err, f.b = true, nil
		return 0
	}
	var v uint64
	for _, c := range f.b[:n] {
		v = v<<8 | uint64(c)
	}
	f.b = f.b[n:]
	return v
}
