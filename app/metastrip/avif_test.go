package metastrip

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"imageapp/app/imagecheck"
)

// avifParts are the pieces of an AVIF that avifWith reassembles.
type avifParts struct {
	ftyp, hdlr, pitm, iprp []byte // whole boxes, copied
	av1                    []byte // the primary item's coded bytes
}

// splitAVIF takes apart a single-item AVIF as ImageMagick writes it.
func splitAVIF(t testing.TB, file []byte) avifParts {
	t.Helper()
	var p avifParts
	var meta []byte
	if err := walkBoxes(file, func(box, payload []byte) {
		switch string(box[4:8]) {
		case "ftyp":
			p.ftyp = box
		case "meta":
			meta = payload
		}
	}); err != nil {
		t.Fatal(err)
	}
	var iloc []byte
	if err := walkBoxes(meta[4:], func(box, payload []byte) {
		switch string(box[4:8]) {
		case "hdlr":
			p.hdlr = box
		case "pitm":
			p.pitm = box
		case "iprp":
			p.iprp = box
		case "iloc":
			iloc = payload
		}
	}); err != nil {
		t.Fatal(err)
	}
	ext, err := itemExtents(iloc, map[uint32]bool{1: true})
	if err != nil || len(ext) != 1 {
		t.Fatalf("the fixture's image item: %v %v", ext, err)
	}
	p.av1 = file[ext[0].start : ext[0].start+ext[0].length]
	return p
}

func box(typ string, payload ...[]byte) []byte {
	body := slices.Concat(payload...)
	return slices.Concat(binary.BigEndian.AppendUint32(nil, uint32(8+len(body))), []byte(typ), body)
}

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

// infe is an item info entry (version 2) for item id of type typ.
func infe(id int, typ string, extra ...byte) []byte {
	return box("infe", []byte{2, 0, 0, 0}, u16(id), u16(0), []byte(typ), []byte{0}, extra)
}

// avifWith builds an AVIF like a phone's: the image item, an Exif item
// with GPS (stored in mdat, or in idat when exifInIdat), an XMP item, and
// after the image data a private top-level box.
func avifWith(t testing.TB, exifInIdat bool) []byte {
	t.Helper()
	p := splitAVIF(t, readFixture(t, "testimage.avif"))
	tiff := exifAPP1(binary.BigEndian, 6, nil)[4+6:]
	exif := slices.Concat(u32(0), tiff) // exif_tiff_header_offset, then TIFF
	xmp := []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="51,30.43N" xmp:CreatorTool="SecretCam"/></x:xmpmeta>`)
	exifMethod := 0
	if exifInIdat {
		exifMethod = 1
	}
	meta := func(mdatStart int) []byte {
		av1At, exifAt := mdatStart+8, mdatStart+8+len(p.av1)
		xmpAt := exifAt + len(exif)
		var idat []byte
		if exifInIdat {
			xmpAt, exifAt = exifAt, 0
			idat = box("idat", exif)
		}
		iloc := box("iloc", []byte{1, 0, 0, 0, 0x44, 0x00}, u16(3),
			u16(1), u16(0), u16(0), u16(1), u32(av1At), u32(len(p.av1)),
			u16(2), u16(exifMethod), u16(0), u16(1), u32(exifAt), u32(len(exif)),
			u16(3), u16(0), u16(0), u16(1), u32(xmpAt), u32(len(xmp)))
		iinf := box("iinf", []byte{0, 0, 0, 0}, u16(3), infe(1, "av01"), infe(2, "Exif"),
			infe(3, "mime", []byte("application/rdf+xml\x00")...))
		iref := box("iref", []byte{0, 0, 0, 0}, box("cdsc", u16(2), u16(1), u16(1)), box("cdsc", u16(3), u16(1), u16(1)))
		return box("meta", []byte{0, 0, 0, 0}, p.hdlr, p.pitm, iloc, iinf, iref, p.iprp, idat)
	}
	start := len(p.ftyp) + len(meta(0))
	mdat := box("mdat", p.av1, exif, xmp)
	if exifInIdat {
		mdat = box("mdat", p.av1, xmp)
	}
	return slices.Concat(p.ftyp, meta(start), mdat, box("uuid", []byte("private-camera-data SN-0042-SECRET")))
}

// TestAVIFDropsExifAndXMP: the Exif item (GPS, camera, serial number), the
// XMP item and private boxes are zeroed in place, wherever they are
// stored; the image item, its properties and every size stay as they were.
func TestAVIFDropsExifAndXMP(t *testing.T) {
	for _, inIdat := range []bool{false, true} {
		in := avifWith(t, inIdat)
		out := mustStrip(t, "image/avif", in)
		if len(out) != len(in) {
			t.Fatalf("idat %v: %d bytes out of %d; blanking keeps every size", inIdat, len(out), len(in))
		}
		for _, secret := range []string{"SecretCam", "SN-0042", "Model X", "GPSLatitude", "2024:05:17", "private-camera-data"} {
			if !bytes.Contains(in, []byte(secret)) {
				t.Fatalf("the test image lacks %q", secret)
			}
			if bytes.Contains(out, []byte(secret)) {
				t.Errorf("idat %v: %q survives", inIdat, secret)
			}
		}
		gps := slices.Concat(u32(51), u32(1), u32(30), u32(1), u32(2607), u32(100))
		if !bytes.Contains(in, gps) || bytes.Contains(out, gps) {
			t.Errorf("idat %v: the GPS latitude survives (or the test image lacks it)", inIdat)
		}
		p := splitAVIF(t, readFixture(t, "testimage.avif"))
		if !bytes.Contains(out, p.av1) || !bytes.Contains(out, p.iprp) {
			t.Errorf("idat %v: the image data or its properties changed", inIdat)
		}
		c, err := imagecheck.Inspect(bytes.NewReader(out), imagecheck.DefaultMaxPixels)
		if err != nil || c.ContentType != "image/avif" || c.Width != 48 || c.Height != 32 {
			t.Errorf("idat %v: the stripped AVIF is no longer a 48x32 AVIF: %+v %v", inIdat, c, err)
		}
	}
}

func TestAVIFWithoutMetadataIsUnchanged(t *testing.T) {
	in := readFixture(t, "testimage.avif")
	if out := mustStrip(t, "image/avif", in); !bytes.Equal(out, in) {
		t.Errorf("an AVIF without metadata changed")
	}
}

func TestAVIFMalformed(t *testing.T) {
	good := avifWith(t, false)
	metaAt := int(binary.BigEndian.Uint32(good))
	metaSize := int(binary.BigEndian.Uint32(good[metaAt:]))
	mdat := good[metaAt+metaSize:]
	cases := map[string][]byte{
		"not starting with ftyp":     good[metaAt:],
		"cut inside the meta box":    good[:metaAt+20],
		"cut before the Exif item":   good[:len(good)-200],
		"a box of size 0":            slices.Concat(good, []byte{0, 0, 0, 0, 'f', 'r', 'e', 'e'}),
		"a box overrunning the file": slices.Concat(good, []byte{0, 0, 1, 0, 'f', 'r', 'e', 'e'}),
		// The image data moved before the meta box: the Exif item's offset
		// now points before the meta box, which a stream cannot go back to.
		"metadata before the meta box": slices.Concat(good[:metaAt], mdat, good[metaAt:metaAt+metaSize]),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) { wantMalformed(t, "image/avif", in) })
	}
}
