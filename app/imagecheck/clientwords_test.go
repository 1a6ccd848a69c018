package imagecheck_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"imageapp/app/imagecheck"
)

var updateWords = flag.Bool("update-words", false, "rewrite the clients' copies of the accepted types and refusals")

// clientWords is what a client needs to refuse a file before uploading it
// with the server's words.
type clientWords struct {
	Types          []string `json:"types"`
	Unsupported    string   `json:"unsupported"`
	HEICTypes      []string `json:"heic_types"`
	HEICExtensions []string `json:"heic_extensions"`
	HEIC           string   `json:"heic"`
}

// The clients' copies: React imports the JSON file (its Docker stage sees
// only react/), static/send.js holds the same JSON on one line.
var (
	reactWords = filepath.Join("..", "..", "react", "src", "lib", "image-types.json")
	sendJS     = filepath.Join("..", "..", "static", "send.js")
	sendJSLine = regexp.MustCompile(`(?m)^(  var imageTypes = )(.*)(; // generated: .*)$`)
)

// TestClientWordsAreImagechecks: the types the clients accept and the
// words with which they refuse a file before uploading it are the
// server's, so a refusal reads the same with JavaScript on, off and in
// React.
func TestClientWordsAreImagechecks(t *testing.T) {
	words := clientWords{
		Types:          imagecheck.Types(),
		Unsupported:    imagecheck.UnsupportedMessage(),
		HEICTypes:      imagecheck.HEICTypes(),
		HEICExtensions: imagecheck.HEICExtensions(),
		HEIC:           imagecheck.HEICMessage,
	}
	pretty, line := marshal(t, words, "  "), marshal(t, words, "")
	line = bytes.TrimSuffix(line, []byte("\n"))
	js, err := os.ReadFile(sendJS)
	if err != nil {
		t.Fatal(err)
	}
	m := sendJSLine.FindSubmatch(js)
	if m == nil {
		t.Fatalf("%s has no line %q", sendJS, sendJSLine)
	}
	if *updateWords {
		js = sendJSLine.ReplaceAllFunc(js, func(l []byte) []byte {
			s := sendJSLine.FindSubmatch(l)
			return bytes.Join([][]byte{s[1], line, s[3]}, nil)
		})
		for path, b := range map[string][]byte{reactWords: pretty, sendJS: js} {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	const fix = "; if the change is meant, run go test ./app/imagecheck -run TestClientWordsAreImagechecks -update-words"
	if got, err := os.ReadFile(reactWords); err != nil || !bytes.Equal(got, pretty) {
		t.Errorf("%s is not what imagecheck says (%v)%s", reactWords, err, fix)
	}
	if !bytes.Equal(m[2], line) {
		t.Errorf("%s's imageTypes is not what imagecheck says%s", sendJS, fix)
	}
}

// marshal encodes v as JSON, indented by indent, without escaping < and >.
func marshal(t *testing.T, v any, indent string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestTypesAreTheAllowedOnes: the list clients are given is the allow-list.
func TestTypesAreTheAllowedOnes(t *testing.T) {
	types := imagecheck.Types()
	if len(types) != len(imagecheck.AllowedTypes()) {
		t.Fatalf("Types lists %d types, Allowed %d", len(types), len(imagecheck.AllowedTypes()))
	}
	for _, ct := range types {
		if _, ok := imagecheck.AllowedTypes()[ct]; !ok {
			t.Errorf("%s is listed but not allowed", ct)
		}
	}
}
