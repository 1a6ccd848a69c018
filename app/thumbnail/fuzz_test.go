package thumbnail

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzMake feeds Make damaged images of every format: it must return an
// error or a preview, never panic (Make turns a panic into an error that
// says so, which fails here), and never take more than the budget.
func FuzzMake(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && !strings.HasSuffix(file, ".md") {
			f.Add(data)
		}
	}
	small := photo(64, 48, 7)
	jpg := encodeJPEG(f, small, 80)
	f.Add(jpg)
	f.Add(withOrientation(jpg, 6, false))
	f.Add(withOrientation(jpg, 7, true))
	f.Add(adobeCMYK(f, 32, 16, inks, false))
	for _, m := range pngVariants(40, 30) {
		f.Add(encodePNG(f, m))
	}
	f.Add(bombPNG(600, 500))
	f.Add(withEXIf(encodePNG(f, small), 6))
	f.Add(withEXIf(encodePNG(f, small), 0))
	pal := image.NewPaletted(image.Rect(0, 0, 30, 20), color.Palette{color.White, color.Black})
	f.Add(encodePNG(f, pal))
	budget := NewBudget(32 << 20)
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Make(context.Background(), bytes.NewReader(data), budget)
		if err != nil {
			if strings.Contains(err.Error(), "panic") {
				t.Fatal(err)
			}
			if !strings.HasPrefix(err.Error(), "thumbnail: ") {
				t.Errorf("error without the package's prefix: %v", err)
			}
			if errors.Is(err, ErrTooCostly) && budget.last.Load() > budget.Max() {
				t.Error("acquired more than the budget")
			}
			return
		}
		if len(out) == 0 {
			t.Error("no error and no preview")
		}
	})
}
