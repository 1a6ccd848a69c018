package messaging

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestASavedImageTakesTheExtensionOfItsRealType(t *testing.T) {
	for _, c := range []struct{ name, ctype, want string }{
		{"invoice.html", "image/png", "invoice.png"},
		{"drawing.svg", "image/png", "drawing.png"},
		{"setup.exe", "image/jpeg", "setup.jpg"},
		{"page.HTML. . ", "image/gif", "page.gif"},
		{"report.pdf.exe", "image/webp", "report.pdf.webp"},
		{"cat.png", "image/png", "cat.png"},
		{"CAT.PNG", "image/png", "CAT.PNG"},
		{"holiday.jpeg", "image/jpeg", "holiday.jpeg"},
		{"cat.png", "image/jpeg", "cat.jpg"},
		{"noextension", "image/png", "noextension.png"},
		{".html", "image/png", "image-ab12cd34.png"},
		{"", "image/png", "image-ab12cd34.png"},
		{"x.html", "text/html", "x.bin"},
	} {
		if got := DownloadName(c.name, c.ctype, "image-ab12cd34"); got != c.want {
			t.Errorf("DownloadName(%q, %s) = %q, want %q", c.name, c.ctype, got, c.want)
		}
	}
}

func TestWindowsDeviceNamesAreNotSavedAsThemselves(t *testing.T) {
	for name, want := range map[string]string{
		"CON":          "_CON.png",
		"con.png":      "_con.png",
		"PRN.txt":      "_PRN.png",
		"aux":          "_aux.png",
		"NUL.tar.gz":   "_NUL.tar.png",
		"COM1":         "_COM1.png",
		"lpt9.exe":     "_lpt9.png",
		"COM¹.png":     "_COM¹.png",
		"CON .png":     "_CON.png",
		"CONOUT$":      "_CONOUT$.png",
		"COM0.png":     "COM0.png",
		"console.png":  "console.png",
		"LPT10.png":    "LPT10.png",
		"icon-nul.png": "icon-nul.png",
	} {
		if got := DownloadName(name, "image/png", "image"); got != want {
			t.Errorf("DownloadName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestASavedNameStaysWithinTheLengthAndValidUTF8(t *testing.T) {
	long := strings.Repeat("é", 200) + ".html" // 405 bytes; a cut at 251 splits an é
	got := DownloadName(long, "image/png", "image")
	if len(got) > MaxFilenameLength || !utf8.ValidString(got) || !strings.HasSuffix(got, ".png") {
		t.Errorf("DownloadName of a %d-byte name = %d bytes (valid UTF-8: %v) %q; want at most %d valid bytes ending .png",
			len(long), len(got), utf8.ValidString(got), got, MaxFilenameLength)
	}
	if got := DownloadName("a\xffb.png", "image/png", "image"); got != "ab.png" {
		t.Errorf("DownloadName with an invalid byte = %q, want %q", got, "ab.png")
	}
}

func TestAStoredFileNameIsCutToTheLimitAsValidUTF8(t *testing.T) {
	long := strings.Repeat("é", 200) + ".png" // 404 bytes; byte 255 is inside an é
	got := cleanFilename(long, "image/png")
	if len(got) > MaxFilenameLength {
		t.Errorf("a %d-byte file name is stored as %d bytes; want at most %d", len(long), len(got), MaxFilenameLength)
	}
	if !utf8.ValidString(got) {
		t.Errorf("a file name cut to the limit is not valid UTF-8: %q", got[len(got)-4:])
	}
	if got := cleanFilename("caf\xe9\xff.png", "image/png"); !utf8.ValidString(got) || !strings.HasPrefix(got, "caf") || !strings.HasSuffix(got, ".png") {
		t.Errorf("a file name with invalid UTF-8 is stored as %q; want valid UTF-8 keeping the rest", got)
	}
	if got := cleanFilename(`C:\Users\x\"evil"`+"\x00.png", "image/png"); got != "evil.png" {
		t.Errorf("a Windows path with quotes and NUL is stored as %q; want %q", got, "evil.png")
	}
}
