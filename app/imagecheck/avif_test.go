package imagecheck_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"imageapp/app/imageapp"
	"imageapp/app/imagecheck"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAVIFIsAccepted: an AVIF still (ImageMagick's) is sniffed as
// image/avif, its size read from the primary item's ispe, and replayed.
func TestAVIFIsAccepted(t *testing.T) {
	raw := fixture(t, "testimage.avif")
	c, err := imagecheck.Inspect(bytes.NewReader(raw), imagecheck.DefaultMaxPixels)
	if err != nil {
		t.Fatal(err)
	}
	if c.ContentType != "image/avif" || c.Width != 48 || c.Height != 32 {
		t.Errorf("got %s %dx%d, want image/avif 48x32", c.ContentType, c.Width, c.Height)
	}
	body, _ := io.ReadAll(c.Body)
	if !bytes.Equal(body, raw) {
		t.Errorf("the body does not replay the upload byte for byte")
	}
	if _, err := imagecheck.Inspect(bytes.NewReader(raw), 48*32-1); imageapp.ErrorCode(err) != imageapp.EBADIMAGE {
		t.Errorf("48x32 over a budget of 48*32-1 pixels: %v, want EBADIMAGE", err)
	}
}

// withBrands gives an ISOBMFF file the ftyp brands major and compatible.
func withBrands(file []byte, major string, compatible ...string) []byte {
	size := int(binary.BigEndian.Uint32(file))
	body := slices.Concat([]byte("ftyp"+major), []byte{0, 0, 0, 0})
	for _, b := range compatible {
		body = append(body, b...)
	}
	return slices.Concat(binary.BigEndian.AppendUint32(nil, uint32(8+len(body))), body, file[size:])
}

// TestAVIFAndHEICRefusals: what is refused says what to do, with the
// words the clients show (TestClientWordsAreImagechecks).
func TestAVIFAndHEICRefusals(t *testing.T) {
	avif := fixture(t, "testimage.avif")
	cases := []struct {
		name string
		in   []byte
		code string
		msg  string
	}{
		{"a HEIC photo", fixture(t, "red.heic"), imageapp.EUNSUPPORTED, imagecheck.HEICMessage},
		{"HEIF with a generic brand", withBrands(avif, "mif1", "miaf"), imageapp.EUNSUPPORTED, imagecheck.HEICMessage},
		{"an animated AVIF", withBrands(avif, "avis", "avif", "msf1"), imageapp.EUNSUPPORTED, imagecheck.AnimatedAVIFMessage},
		{"a video", withBrands(avif, "isom", "mp41"), imageapp.EUNSUPPORTED, imagecheck.UnsupportedMessage()},
		{"an AVIF cut short", avif[:60], imageapp.EBADIMAGE, "This avif file is damaged or not a real image."},
		{"an AVIF with its image data first", moveMdatFirst(t, avif), imageapp.EBADIMAGE, "This avif file is damaged or not a real image."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := imagecheck.Inspect(bytes.NewReader(c.in), imagecheck.DefaultMaxPixels)
			if imageapp.ErrorCode(err) != c.code || imageapp.ErrorMessage(err) != c.msg {
				t.Errorf("Inspect = %v (%s), want %s %q", err, imageapp.ErrorCode(err), c.code, c.msg)
			}
		})
	}
}

// moveMdatFirst puts an AVIF's image data before its meta box.
func moveMdatFirst(t testing.TB, file []byte) []byte {
	ftyp := int(binary.BigEndian.Uint32(file))
	meta := int(binary.BigEndian.Uint32(file[ftyp:]))
	return slices.Concat(file[:ftyp], file[ftyp+meta:], file[ftyp:ftyp+meta])
}
