package imagecheck

import (
	"image"
	"io"
)

// SwapDecodeConfig makes Inspect read dimensions with f until restore.
func SwapDecodeConfig(f func(io.Reader) (image.Config, string, error)) (restore func()) {
	old := imageDecodeConfig
	imageDecodeConfig = f
	return func() { imageDecodeConfig = old }
}
