package server

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"testing"
)

// jpegWithGPS is a real JPEG carrying an EXIF block with Orientation 6 and a
// GPS IFD whose map datum holds a recognizable secret.
func jpegWithGPS(t *testing.T, secret string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for x := 0; x < 64; x++ {
		for y := 0; y < 32; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 8), 90, 255})
		}
	}
	var enc bytes.Buffer
	must(t, jpeg.Encode(&enc, img, nil))

	le := binary.LittleEndian
	entry := func(b []byte, tag, typ uint16, count, value uint32) []byte {
		b = le.AppendUint16(b, tag)
		b = le.AppendUint16(b, typ)
		b = le.AppendUint32(b, count)
		return le.AppendUint32(b, value)
	}
	datum := append([]byte(secret), 0)
	tiff := []byte("II*\x00")
	tiff = le.AppendUint32(tiff, 8)
	// IFD0 at 8: two entries (12 bytes each) + count + next = 30 bytes; GPS IFD at 38.
	tiff = le.AppendUint16(tiff, 2)
	tiff = entry(tiff, 0x0112, 3, 1, 6)  // Orientation = 6 (rotate 90° CW)
	tiff = entry(tiff, 0x8825, 4, 1, 38) // GPSInfo IFD pointer
	tiff = le.AppendUint32(tiff, 0)
	// GPS IFD at 38: one entry + count + next = 18 bytes; the datum follows at 56.
	tiff = le.AppendUint16(tiff, 1)
	tiff = entry(tiff, 0x0012, 2, uint32(len(datum)), 56) // GPSMapDatum
	tiff = le.AppendUint32(tiff, 0)
	tiff = append(tiff, datum...)

	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(app1)+2))
	seg = append(seg, app1...)
	raw := enc.Bytes()
	return append(append(append([]byte{}, raw[:2]...), seg...), raw[2:]...) // right after SOI
}

// TestGPSStrippedBeforeStorage reads what was stored, decrypted, and proves
// the GPS data is gone while the orientation survives.
func TestGPSStrippedBeforeStorage(t *testing.T) {
	app := startApp(t, t.TempDir())
	alice, bob := app.signUp("alice"), app.signUp("bob")
	const secret = "GPS-SECRET-48.8584N-2.2945E"
	upload := jpegWithGPS(t, secret)
	if !bytes.Contains(upload, []byte(secret)) {
		t.Fatal("test image lacks its GPS marker")
	}
	id := sendAPI(t, alice, "bob", upload)
	r := bob.get("/api/messages/" + id + "/image")
	if r.status != http.StatusOK {
		t.Fatalf("open: %d", r.status)
	}
	stored := []byte(r.body)
	if bytes.Contains(stored, []byte(secret)) {
		t.Fatal("the GPS data survived into the stored image")
	}
	if bytes.Contains(stored, []byte{0x25, 0x88}) { // the GPSInfo tag, little-endian
		t.Fatal("a GPS IFD pointer survived into the stored image")
	}
	orientationLE := []byte{0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00}
	orientationBE := []byte{0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06}
	if !bytes.Contains(stored, orientationLE) && !bytes.Contains(stored, orientationBE) {
		t.Fatal("the orientation (6) was lost, so the picture would turn")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(stored))
	if err != nil || format != "jpeg" || cfg.Width != 64 || cfg.Height != 32 {
		t.Fatalf("the stored image no longer decodes as the same JPEG: %v %s %dx%d", err, format, cfg.Width, cfg.Height)
	}
}
