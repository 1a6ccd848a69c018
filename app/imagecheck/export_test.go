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

// AllowedTypes is the allow-list, for the external tests.
func AllowedTypes() map[string]string { return allowed }
