package imagecheck

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
)

// family is what an ISOBMFF file's ftyp box says it holds.
type family int

const (
	notISOBMFF family = iota
	stillAVIF
	animatedAVIF
	heif // HEIC and the other HEVC-coded HEIF brands
	otherISOBMFF
)

// heifBrands are the ftyp brands of HEIF files that are not AVIF: HEVC
// stills and sequences (iPhone and Mac photos) and the generic HEIF ones.
var heifBrands = map[string]bool{
	"heic": true, "heix": true, "heim": true, "heis": true,
	"hevc": true, "hevx": true, "hevm": true, "hevs": true,
	"mif1": true, "msf1": true,
}

// sniffFamily reads the ftyp box at the start of head. An "avis" brand
// (an image sequence) makes the file animated even when it also claims
// "avif": refusing it is simpler than stripping its track metadata.
func sniffFamily(head []byte) family {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return notISOBMFF
	}
	size := int(binary.BigEndian.Uint32(head))
	if size < 16 || size > len(head) || size%4 != 0 {
		return notISOBMFF
	}
	brands := [][]byte{head[8:12]}
	for i := 16; i+4 <= size; i += 4 {
		brands = append(brands, head[i:i+4])
	}
	has := func(b string) bool {
		for _, x := range brands {
			if string(x) == b {
				return true
			}
		}
		return false
	}
	switch {
	case has("avis"):
		return animatedAVIF
	case has("avif"):
		return stillAVIF
	}
	for _, b := range brands {
		if heifBrands[string(b)] {
			return heif
		}
	}
	return otherISOBMFF
}

var errAVIF = errors.New("avif: malformed")

// maxMetaBytes bounds the meta box read to find the dimensions; it holds
// the item tables and properties (an ICC profile at most), not pixels.
const maxMetaBytes = 512 << 10

// avifConfig reads an AVIF's dimensions: the ispe property of its primary
// item, from the meta box, which must come before the image data (mdat).
func avifConfig(r io.Reader) (image.Config, string, error) {
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return image.Config{}, "", err
		}
		size, typ := int64(binary.BigEndian.Uint32(hdr[:4])), string(hdr[4:8])
		if size < 8 {
			return image.Config{}, "", fmt.Errorf("%w: box %q of size %d", errAVIF, typ, size)
		}
		switch typ {
		case "meta":
			if size-8 > maxMetaBytes {
				return image.Config{}, "", fmt.Errorf("%w: meta box of %d bytes", errAVIF, size)
			}
			meta := make([]byte, size-8)
			if _, err := io.ReadFull(r, meta); err != nil {
				return image.Config{}, "", err
			}
			w, h, err := primarySize(meta)
			if err != nil {
				return image.Config{}, "", err
			}
			return image.Config{Width: w, Height: h}, "avif", nil
		case "mdat":
			return image.Config{}, "", fmt.Errorf("%w: image data before the meta box", errAVIF)
		}
		if _, err := io.CopyN(io.Discard, r, size-8); err != nil {
			return image.Config{}, "", err
		}
	}
}

// boxes calls f with the type and payload of each box in b.
func boxes(b []byte, f func(typ string, payload []byte) error) error {
	for len(b) > 0 {
		if len(b) < 8 {
			return fmt.Errorf("%w: %d stray bytes", errAVIF, len(b))
		}
		size := uint64(binary.BigEndian.Uint32(b))
		if size < 8 || size > uint64(len(b)) {
			return fmt.Errorf("%w: box %q of size %d in %d bytes", errAVIF, b[4:8], size, len(b))
		}
		if err := f(string(b[4:8]), b[8:size]); err != nil {
			return err
		}
		b = b[size:]
	}
	return nil
}

// primarySize finds the ispe property associated with the primary item
// (pitm) in a meta box's payload.
func primarySize(meta []byte) (w, h int, err error) {
	if len(meta) < 4 {
		return 0, 0, fmt.Errorf("%w: short meta box", errAVIF)
	}
	primary := -1
	var ipco, ipma []byte
	err = boxes(meta[4:], func(typ string, p []byte) error {
		switch typ {
		case "pitm":
			switch {
			case len(p) >= 6 && p[0] == 0:
				primary = int(binary.BigEndian.Uint16(p[4:]))
			case len(p) >= 8 && p[0] == 1:
				primary = int(binary.BigEndian.Uint32(p[4:]))
			default:
				return fmt.Errorf("%w: pitm", errAVIF)
			}
		case "iprp":
			return boxes(p, func(typ string, p []byte) error {
				switch typ {
				case "ipco":
					ipco = p
				case "ipma":
					if ipma == nil {
						ipma = p
					}
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	if primary < 0 || ipco == nil || ipma == nil {
		return 0, 0, fmt.Errorf("%w: no primary item with properties", errAVIF)
	}
	var props [][]byte // ipco's properties, numbered from 1
	var types []string
	if err := boxes(ipco, func(typ string, p []byte) error {
		props, types = append(props, p), append(types, typ)
		return nil
	}); err != nil {
		return 0, 0, err
	}
	indices, err := itemProperties(ipma, primary)
	if err != nil {
		return 0, 0, err
	}
	for _, i := range indices {
		if i >= 1 && i <= len(props) && types[i-1] == "ispe" && len(props[i-1]) >= 12 {
			p := props[i-1]
			return int(binary.BigEndian.Uint32(p[4:])), int(binary.BigEndian.Uint32(p[8:])), nil
		}
	}
	return 0, 0, fmt.Errorf("%w: the primary item has no ispe", errAVIF)
}

// itemProperties lists the property indices ipma associates with item.
func itemProperties(ipma []byte, item int) ([]int, error) {
	bad := fmt.Errorf("%w: ipma", errAVIF)
	if len(ipma) < 8 {
		return nil, bad
	}
	version, flags := ipma[0], ipma[3]
	count := binary.BigEndian.Uint32(ipma[4:])
	b := ipma[8:]
	for range count {
		var id int
		if version < 1 {
			if len(b) < 3 {
				return nil, bad
			}
			id, b = int(binary.BigEndian.Uint16(b)), b[2:]
		} else {
			if len(b) < 5 {
				return nil, bad
			}
			id, b = int(binary.BigEndian.Uint32(b)), b[4:]
		}
		n := int(b[0])
		b = b[1:]
		width := 1
		if flags&1 != 0 {
			width = 2
		}
		if len(b) < n*width {
			return nil, bad
		}
		var out []int
		for j := range n {
			if width == 2 {
				out = append(out, int(binary.BigEndian.Uint16(b[2*j:])&0x7fff))
			} else {
				out = append(out, int(b[j]&0x7f))
			}
		}
		b = b[n*width:]
		if id == item {
			return out, nil
		}
	}
	return nil, fmt.Errorf("%w: the primary item has no properties", errAVIF)
}
